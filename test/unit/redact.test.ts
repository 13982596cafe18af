import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redact } from '../../src/redact';

it('blanks ID tokens, access tokens and bearer credentials', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJ4In0.AbC_d-EfG';
  const access = 'ya29.a0AfH6SMBx-very_secret.token';
  const text = redact(`id ${jwt} access ${access} header Bearer abcdefghijklmnop`);
  assert.ok(
    !text.includes(jwt) && !text.includes(access) && !text.includes('abcdefghijklmnop'),
    text,
  );
  assert.equal(text, 'id [redacted] access [redacted] header [redacted]');
});
