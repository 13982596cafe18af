import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GoogleAuth } from 'google-auth-library';
import { createAuth } from '../../src/function/auth';
import { AuthError } from '../../src/function/errors/auth-error';
import { verifyJwt } from '../fakes/jwt';
import { FakeMetadata } from '../fakes/metadata';

// The real google-auth-library, pointed at a loopback metadata server; no local credentials.
process.env['HOME'] = mkdtempSync(path.join(os.tmpdir(), 'auth-home-'));
process.env['METADATA_SERVER_DETECTION'] = 'assume-present';
process.env['GOOGLE_CLOUD_PROJECT'] = 'test-project';
delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];

const AUDIENCE = '123456789012-abc.apps.googleusercontent.com';

function token(headers: Record<string, string>): string {
  const value = headers['authorization'] ?? '';
  assert.match(value, /^Bearer /);
  return value.slice('Bearer '.length);
}

describe('createAuth with google-auth-library and a fake metadata server', () => {
  let metadata: FakeMetadata;
  before(async () => {
    metadata = await new FakeMetadata({ tokenLatencyMs: 30 }).start();
    process.env['GCE_METADATA_HOST'] = metadata.host;
  });
  after(() => metadata.close());

  it('iap: an ID token signed by the metadata server for IAP_CLIENT_ID', async () => {
    const auth = createAuth({ mode: 'iap', audience: AUDIENCE });
    const verified = verifyJwt(token(await auth.headers()), metadata.publicKey, {
      audience: AUDIENCE,
    });
    assert.ok(verified.ok, verified.ok ? '' : verified.reason);
  });

  it('google: an access token with the cloud-platform scope', async () => {
    const auth = createAuth({ mode: 'google' });
    const verified = verifyJwt(token(await auth.headers()), metadata.publicKey, {
      scope: 'https://www.googleapis.com/auth/cloud-platform',
    });
    assert.ok(verified.ok);
  });

  it('none: no header at all', async () => {
    assert.deepEqual(await createAuth({ mode: 'none' }).headers(), {});
  });

  it('30 concurrent callers on a cold client share one ID-token fetch; 50 more reuse it', async () => {
    const before = metadata.fetches.identity;
    const auth = createAuth({ mode: 'iap', audience: 'other-audience.apps.googleusercontent.com' });
    const first = await Promise.all(Array.from({ length: 30 }, () => auth.headers()));
    assert.equal(metadata.fetches.identity - before, 1);
    assert.equal(new Set(first.map(token)).size, 1);
    await Promise.all(Array.from({ length: 50 }, () => auth.headers()));
    assert.equal(metadata.fetches.identity - before, 1);
  });
});

describe('token refresh and failures', () => {
  it('refetches only once the token is within five minutes of expiry', async () => {
    // 301 s tokens are fresh for one second, then inside the library's refresh window.
    const metadata = await new FakeMetadata({ tokenLifetimeSeconds: 301 }).start();
    process.env['GCE_METADATA_HOST'] = metadata.host;
    try {
      const auth = createAuth({ mode: 'iap', audience: AUDIENCE });
      await auth.headers();
      await auth.headers();
      assert.equal(metadata.fetches.identity, 1, 'warm: no refetch');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await Promise.all([auth.headers(), auth.headers(), auth.headers()]);
      assert.equal(metadata.fetches.identity, 2, 'near expiry: one refetch for all callers');
    } finally {
      await metadata.close();
    }
  });

  it('a 404 from the metadata server is permanent, and says what was asked for', async () => {
    const metadata = await new FakeMetadata({ failStatus: 404 }).start();
    process.env['GCE_METADATA_HOST'] = metadata.host;
    try {
      await assert.rejects(
        createAuth({ mode: 'iap', audience: AUDIENCE }).headers(),
        (err: unknown) => {
          assert.ok(err instanceof AuthError);
          assert.equal(err.transient, false);
          assert.match(err.message, new RegExp(`ID token for audience ${AUDIENCE}`));
          return true;
        },
      );
    } finally {
      await metadata.close();
    }
  });

  it('prewarm: the token is fetched at creation, and the first caller reuses it', async () => {
    const metadata = await new FakeMetadata().start();
    process.env['GCE_METADATA_HOST'] = metadata.host;
    try {
      const auth = createAuth({ mode: 'iap', audience: AUDIENCE }, { prewarm: true });
      for (let i = 0; i < 200 && metadata.fetches.identity === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(metadata.fetches.identity, 1, 'fetched before any caller');
      token(await auth.headers());
      assert.equal(metadata.fetches.identity, 1, 'the caller did not fetch again');
    } finally {
      await metadata.close();
    }
  });

  it('a failed prewarm reaches only the callers that shared it; the next caller fetches again', async () => {
    process.env['GCE_METADATA_HOST'] = '127.0.0.1:1';
    const auth = createAuth({ mode: 'iap', audience: AUDIENCE }, { prewarm: true });
    await assert.rejects(auth.headers(), (err: unknown) => err instanceof AuthError);
    const metadata = await new FakeMetadata().start();
    process.env['GCE_METADATA_HOST'] = metadata.host;
    try {
      token(await auth.headers());
      assert.equal(metadata.fetches.identity, 1);
    } finally {
      await metadata.close();
    }
  });

  it('an unreachable metadata server is transient', async () => {
    process.env['GCE_METADATA_HOST'] = '127.0.0.1:1';
    await assert.rejects(
      createAuth({ mode: 'google' }).headers(),
      (err: unknown) => err instanceof AuthError && err.transient,
    );
  });
});

/** A GoogleAuth stand-in for the library's factory: the token source is the test's own. */
function fakeGoogleAuth(getRequestHeaders: () => Promise<Headers>, setup?: () => void) {
  return () =>
    ({
      getIdTokenClient: () => {
        setup?.();
        return Promise.resolve({ getRequestHeaders });
      },
      getClient: () => {
        setup?.();
        return Promise.resolve({ getRequestHeaders });
      },
    }) as unknown as GoogleAuth;
}

const bearer = () => Promise.resolve(new Headers({ authorization: 'Bearer abc.def.ghi' }));

describe('token-source failures, classified by what they carry', () => {
  // Issue 9, defect 12: classifying with `instanceof` our own gaxios's GaxiosError worked only while
  // npm deduplicated google-auth-library's gaxios with ours; @google-cloud/storage already brings
  // another major version. An error from that other copy must be classified the same.
  const otherCopy = createRequire(require.resolve('@google-cloud/storage'))(
    'gaxios',
  ) as typeof import('gaxios');
  const ours = createRequire(__filename)('gaxios') as typeof import('gaxios');

  it('the other copy really is another class', () => {
    assert.notEqual(otherCopy.GaxiosError, ours.GaxiosError);
  });

  const answered = (status: number) =>
    new otherCopy.GaxiosError(
      `metadata answered ${status}`,
      { url: new URL('http://169.254.169.254/x'), headers: new Headers() },
      {
        status,
        statusText: 'x',
        headers: new Headers(),
        data: '',
        config: { url: new URL('http://169.254.169.254/x'), headers: new Headers() },
      } as unknown as ConstructorParameters<typeof otherCopy.GaxiosError>[2],
    );
  const noAnswer = (code: string) => {
    const err = new otherCopy.GaxiosError('socket hang up', {
      url: new URL('http://169.254.169.254/x'),
      headers: new Headers(),
    });
    err.code = code;
    return err;
  };
  const table: [string, () => Error, boolean][] = [
    ['503 from the other gaxios copy', () => answered(503), true],
    ['429 from the other gaxios copy', () => answered(429), true],
    ['ECONNRESET from the other gaxios copy', () => noAnswer('ECONNRESET'), true],
    ['ECONNREFUSED', () => noAnswer('ECONNREFUSED'), true],
    ['403 from the other gaxios copy', () => answered(403), false],
    ['404 from the other gaxios copy', () => answered(404), false],
    [
      'no credentials (a plain Error)',
      () => new Error('Could not load the default credentials'),
      false,
    ],
    [
      'a key file that is not there (an fs code, not a socket)',
      () => Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }),
      false,
    ],
  ];
  for (const [name, make, transient] of table) {
    it(`${name}: ${transient ? 'transient' : 'permanent'}`, async () => {
      const auth = createAuth(
        { mode: 'iap', audience: AUDIENCE },
        { googleAuth: fakeGoogleAuth(() => Promise.reject(make())) },
      );
      await assert.rejects(auth.headers(), (err: unknown) => {
        assert.ok(err instanceof AuthError);
        assert.equal(err.transient, transient);
        return true;
      });
    });
  }
});

describe('lookups that fail or hang', () => {
  // Issue 9, defect 13: one bad cold start must not fail every later event of the instance.
  it('a failed client setup is retried by the next caller, not kept', async () => {
    let setups = 0;
    const auth = createAuth(
      { mode: 'google' },
      {
        googleAuth: fakeGoogleAuth(bearer, () => {
          setups += 1;
          if (setups === 1) throw new Error('could not detect the environment');
        }),
      },
    );
    await assert.rejects(auth.headers(), (err: unknown) => err instanceof AuthError);
    assert.deepEqual(await auth.headers(), { authorization: 'Bearer abc.def.ghi' });
    assert.equal(setups, 2);
  });

  it('a lookup past its deadline is abandoned with its client; the next caller starts afresh', async () => {
    let calls = 0;
    const auth = createAuth(
      { mode: 'iap', audience: AUDIENCE },
      {
        lookupTimeoutMs: 100,
        googleAuth: fakeGoogleAuth(() => {
          calls += 1;
          return calls === 1 ? new Promise<Headers>(() => undefined) : bearer();
        }),
      },
    );
    await assert.rejects(auth.headers(), (err: unknown) => {
      assert.ok(err instanceof AuthError);
      assert.equal(err.transient, true);
      assert.match(err.message, /did not answer within 100 ms/);
      return true;
    });
    assert.deepEqual(await auth.headers(), { authorization: 'Bearer abc.def.ghi' });
    assert.equal(calls, 2);
  });

  it("a caller's own shorter time is honoured while the shared lookup goes on for others", async () => {
    let release: (h: Headers) => void = () => undefined;
    const auth = createAuth(
      { mode: 'iap', audience: AUDIENCE },
      {
        lookupTimeoutMs: 5000,
        googleAuth: fakeGoogleAuth(() => new Promise<Headers>((resolve) => (release = resolve))),
      },
    );
    const patient = auth.headers();
    await assert.rejects(auth.headers(50), /did not answer within 50 ms/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    release(new Headers({ authorization: 'Bearer later' }));
    assert.deepEqual(await patient, { authorization: 'Bearer later' });
  });

  it('a 401 drops the token handed out; a 401 naming an older token changes nothing', async () => {
    // Each client caches its own token, as google-auth-library's do.
    let clients = 0;
    const googleAuth = () =>
      ({
        getClient: () => {
          const headers = new Headers({ authorization: `Bearer t${++clients}` });
          return Promise.resolve({ getRequestHeaders: () => Promise.resolve(headers) });
        },
      }) as unknown as GoogleAuth;
    const auth = createAuth({ mode: 'google' }, { googleAuth });
    const first = await auth.headers();
    assert.deepEqual(await auth.headers(), first, 'the cached token');
    assert.equal(auth.rejected(first), true);
    const second = await auth.headers();
    assert.notDeepEqual(second, first, 'a new client, a new token');
    auth.rejected(first);
    assert.deepEqual(await auth.headers(), second, 'a stale 401 does not drop the fresh token');
    assert.equal(clients, 2);
  });
});
