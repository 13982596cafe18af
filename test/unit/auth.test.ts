import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAuth } from '../../src/auth';
import { AuthError } from '../../src/errors/auth-error';
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
