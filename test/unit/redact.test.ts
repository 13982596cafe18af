import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_INPUT, redact } from '../../src/basics/redact';

// Shaped as the real ones: an RS256 ID token (header.payload.signature) and a Google access token.
const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjFhMmIzYyIsInR5cCI6IkpXVCJ9' +
  '.eyJhdWQiOiIxMjMtYWJjLmFwcHMuZ29vZ2xldXNlcmNvbnRlbnQuY29tIiwiZW1haWwiOiJmbkBwLmlhbSJ9' +
  '.Q2hpcF9zaWduYXR1cmVfMzQyX2NoYXJzX2Jhc2U2NHVybF9TaWduYXR1cmUtb2YtdGhlLXRva2Vu';
const SIGNATURE = JWT.split('.')[2] ?? '';
const PAYLOAD_AND_SIGNATURE = JWT.slice(JWT.indexOf('.') + 1);
const ACCESS = 'ya29.a0AfH6SMBx-very_secret.token-value_0123456789';
const OPAQUE = 'opaqueCredential0123456789';
const BASIC = Buffer.from('airflow-admin:s3cr3t+pw/==').toString('base64');
const enc = encodeURIComponent;

const R = '[redacted]';

/** [what, input, expected]: every secret in every encoding blanked, the words around it kept. */
const BLANKED: readonly (readonly [string, string, string])[] = [
  ['a JWT between words', `id ${JWT} end`, `id ${R} end`],
  ['a JWT glued to a word character', `x${JWT}`, `x${R}`],
  ['a JWT glued to digits', `20${JWT} end`, `20${R} end`],
  ['Bearer %20 JWT (URL-encoded header)', `auth=${enc(`Bearer ${JWT}`)}`, `auth=Bearer%20${R}`],
  [
    'Bearer %2520 JWT (double-encoded)',
    `auth=${enc(enc(`Bearer ${JWT}`))}`,
    `auth=Bearer%2520${R}`,
  ],
  ['Bearer + JWT (form-encoded)', `Authorization=Bearer+${JWT}`, `Authorization=Bearer+${R}`],
  ['Bearer:JWT', `Bearer:${JWT}`, `Bearer:${R}`],
  [
    'Bearer\\u0020JWT (JSON-escaped)',
    `{"authorization":"Bearer\\u0020${JWT}"}`,
    `{"authorization":"Bearer\\u0020${R}"}`,
  ],
  [
    'id_token= in a query string',
    `GET /cb?id_token=${JWT}&state=1`,
    `GET /cb?id_token=${R}&state=1`,
  ],
  ['access_token%3D (URL-encoded query)', enc(`access_token=${JWT}`), `access_token%3D${R}`],
  ['a JWT with URL-encoded dots', JWT.replaceAll('.', '%2E'), R],
  ['a JWT with double-encoded dots', `t=${JWT.replaceAll('.', '%252E')}`, `t=${R}`],
  ['a JWT whose header was cut off', `...${PAYLOAD_AND_SIGNATURE}`, `...${R}`],
  ['an access token', `access ${ACCESS} end`, `access ${R} end`],
  ['an access token glued', `x${ACCESS}`, `x${R}`],
  ['an access token URL-encoded', enc(`Bearer ${ACCESS}`), `Bearer%20${R}`],
  ['an access token double-encoded', enc(enc(`access_token=${ACCESS}`)), `access_token%253D${R}`],
  ['an access token with an encoded dot', `ya29%2E${ACCESS.slice(5)}`, R],
  ['an opaque bearer credential', `header Bearer ${OPAQUE}`, `header Bearer ${R}`],
  ['an opaque bearer credential, %20', `Bearer%20${OPAQUE}`, `Bearer%20${R}`],
  ['an opaque bearer credential, %2520', `Bearer%2520${OPAQUE}`, `Bearer%2520${R}`],
  ['an opaque bearer credential, +', `Bearer+${OPAQUE}`, `Bearer+${R}`],
  ['an opaque bearer credential, :', `bearer:${OPAQUE}`, `bearer:${R}`],
  ['an opaque bearer credential, \\u0020', `"Bearer\\u0020${OPAQUE}"`, `"Bearer\\u0020${R}"`],
  ['a glued bearer', `authorization%3ABearer%20${OPAQUE}`, `authorization%3ABearer%20${R}`],
  ['basic credentials', `Authorization: Basic ${BASIC}`, `Authorization: Basic ${R}`],
  ['basic credentials URL-encoded', enc(`Basic ${BASIC}`), `Basic%20${R}`],
  ['token= opaque', `?token=${OPAQUE}&a=1`, `?token=${R}&a=1`],
  ['access_token in JSON', `{"access_token": "${OPAQUE}"}`, `{"access_token": "${R}"}`],
  [
    'access_token in JSON inside a JSON string',
    `{"echo":"{\\"access_token\\":\\"${OPAQUE}\\"}"}`,
    `{"echo":"{\\"access_token\\":\\"${R}\\"}"}`,
  ],
  ['refresh_token %3D', `refresh_token%3D${OPAQUE}`, `refresh_token%3D${R}`],
  ['authorization= without a scheme', `authorization=${OPAQUE}`, `authorization=${R}`],
  ['client_secret', `client_secret=${OPAQUE}`, `client_secret=${R}`],
  [
    'a private key',
    'key: -----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B\\n-----END PRIVATE KEY-----\\n',
    `key: ${R}\\n`,
  ],
];

/** Text that must come through as it is: an error message loses nothing it does not have to. */
const KEPT: readonly string[] = [
  'Airflow answered 403: You do not have permission to access this resource',
  'DAG with dag_id: load_sales not found',
  'gs://landing/surveyJanuary2026.csv (generation 1700000000000001) is not JSON',
  'run gcs__landing~sales~orders.csv~1700000000000001 already exists',
  'Invalid token: Token has expired',
  'Bearer token missing',
  'POST http://127.0.0.1:8080/api/v1/dags/load_sales/dagRuns answered 503',
  'a JWT header alone: eyJhbGciOiJSUzI1NiJ9.',
];

describe('redact', () => {
  for (const [what, input, expected] of BLANKED) {
    it(`blanks ${what}`, () => {
      assert.equal(redact(input), expected);
    });
  }

  it('leaves ordinary messages as they are', () => {
    for (const text of KEPT) assert.equal(redact(text), text);
  });

  it('no secret survives in any row, not even the signature alone', () => {
    for (const [, input] of BLANKED) {
      const out = redact(input);
      for (const secret of [JWT, SIGNATURE, ACCESS.slice(5), OPAQUE, BASIC])
        assert.ok(!out.includes(secret), `${out} contains ${secret.slice(0, 12)}…`);
    }
  });

  it('cuts long text after redacting, so a cut never leaves a piece of a token', () => {
    const before = 'a'.repeat(440);
    assert.equal(redact(`${before} ${JWT}`), `${before} ${R}`);
    assert.equal(redact(`${before} ${JWT} ${'b'.repeat(100)}`).length, 501, '500 and the ellipsis');
  });
});

describe('redact never throws, whatever the input (issue 16)', () => {
  // Each a shape that made V8's regexp backtracking stack overflow at 10 M characters.
  const HUGE: readonly (readonly [string, string])[] = [
    ['a run of letters', 'a'.repeat(10_000_000)],
    ['a run of JWT characters and dots', 'ab.'.repeat(3_400_000)],
    ['URL-encoded dots', 'a%2E'.repeat(2_500_000)],
    ['token= and a 10 M credential', `token=${'a'.repeat(10_000_000)}`],
    ['a key and 10 M of gap', `token${' '.repeat(10_000_000)}x`],
    ['a private key of 10 M', `-----BEGIN PRIVATE KEY-----${'a\n'.repeat(5_000_000)}`],
    ['a JWT glued to 10 M of base64url', `${'Q'.repeat(10_000_000)}${JWT}`],
  ];
  for (const [what, input] of HUGE) {
    it(`${what}: no throw, 500 characters and the ellipsis at most`, () => {
      const out = redact(input);
      assert.ok(out.length <= 501, `${out.length}`);
      assert.ok(out.endsWith('…'), 'says it was cut');
      assert.ok(
        !out.includes('a'.repeat(100)) || what === 'a key and 10 M of gap',
        out.slice(0, 80),
      );
    });
  }

  it('the text past MAX_INPUT is not read; a credential the bound cuts is dropped whole', () => {
    // Long JWTs before the bound redact to almost nothing, so what the bound cuts would show.
    const jwt = (k: number) => ` eyJ${'h'.repeat(k)}.eyJ${'p'.repeat(1000)}.${'s'.repeat(40)}`;
    const at = MAX_INPUT - 12; // "Bearer " and five characters of the credential inside the bound
    let text = '';
    while (at - 1 - text.length - jwt(1000).length > 1100) text += jwt(1000);
    text += jwt(at - 1 - text.length - jwt(0).length);
    text += ` Bearer ${OPAQUE}`;
    assert.equal(text.indexOf('Bearer '), at);
    const out = redact(text);
    assert.ok(!out.includes(OPAQUE.slice(0, 5)), out.slice(-40));
    assert.match(out, /Bearer …$/);
    assert.ok(!out.includes('hhhh'), 'every long JWT blanked');
  });
});

describe('every key it redacts, in any letter case (issue 16, item 9)', () => {
  // Each row is caught by a case-insensitive pattern only: no JWT, no lowercase key nearby.
  const CASES: readonly (readonly [string, string])[] = [
    [`Password=${OPAQUE}`, `Password=${R}`],
    [`PASSWORD: ${OPAQUE}`, `PASSWORD: ${R}`],
    [`Token=${OPAQUE}`, `Token=${R}`],
    [`?Access_Token=${OPAQUE}&x=1`, `?Access_Token=${R}&x=1`],
    [`TOKEN%3D${OPAQUE}`, `TOKEN%3D${R}`],
    [`Client_Secret=${OPAQUE}`, `Client_Secret=${R}`],
    [`AUTHORIZATION=${OPAQUE}`, `AUTHORIZATION=${R}`],
    [`BEARER ${OPAQUE}`, `BEARER ${R}`],
    [`basic ${BASIC}`, `basic ${R}`],
    [`YA29.${ACCESS.slice(5)}`, R],
    ['-----begin private key-----\\nMIIEvQIBADANBgkqhkiG9w0B\\n', R],
  ];
  for (const [input, expected] of CASES) {
    it(`blanks ${input.slice(0, 24)}…`, () => {
      assert.equal(redact(input), expected);
    });
  }
});
