/**
 * Auth lookups that hang or are refused (issue 16, item 9): two planted bugs that passed the whole
 * suite, each pinned here: an abandoned lookup's wedged client kept, and a 401-refused token's
 * lookup in flight joined again. The token sources are the tests' own, behind createAuth's factory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GoogleAuth } from 'google-auth-library';
import { createAuth } from '../../src/function/auth';

const AUDIENCE = '123456789012-abc.apps.googleusercontent.com';

describe('lookups abandoned or refused', () => {
  it('a hung lookup is abandoned with its client: the next caller gets a new client, not the wedged one', async () => {
    // Client 1 is wedged for good (every lookup on it hangs), as a client whose refresh never ends.
    let clients = 0;
    const googleAuth = () =>
      ({
        getIdTokenClient: () => {
          const n = ++clients;
          const headers = new Headers({ authorization: `Bearer c${n}` });
          return Promise.resolve({
            getRequestHeaders: () =>
              n === 1 ? new Promise<Headers>(() => undefined) : Promise.resolve(headers),
          });
        },
      }) as unknown as GoogleAuth;
    const auth = createAuth(
      { mode: 'iap', audience: AUDIENCE },
      { lookupTimeoutMs: 100, googleAuth },
    );
    await assert.rejects(auth.headers(), /did not answer within 100 ms/);
    assert.deepEqual(await auth.headers(), { authorization: 'Bearer c2' }, 'a new client answered');
    assert.equal(clients, 2);
  });

  it('a 401 drops the lookup in flight on the refused client: the retry gets a new token, not the same', async () => {
    // Client 1 hands out t1; its second lookup (a refresh started by another caller) is slow and
    // brings t1 again, as a library refresh on a refused client would.
    let clients = 0;
    let refreshStarted: () => void = () => undefined;
    const refreshing = new Promise<void>((resolve) => (refreshStarted = resolve));
    const googleAuth = () =>
      ({
        getClient: () => {
          const n = ++clients;
          let lookups = 0;
          const headers = new Headers({ authorization: `Bearer t${n}` });
          return Promise.resolve({
            getRequestHeaders: () =>
              n === 1 && ++lookups > 1
                ? new Promise<Headers>((resolve) => {
                    refreshStarted();
                    setTimeout(() => {
                      resolve(headers);
                    }, 200);
                  })
                : Promise.resolve(headers),
          });
        },
      }) as unknown as GoogleAuth;
    const auth = createAuth({ mode: 'google' }, { googleAuth });
    const first = await auth.headers();
    assert.deepEqual(first, { authorization: 'Bearer t1' });
    const inFlight = auth.headers(); // another caller's lookup, still running on client 1
    await refreshing;
    assert.equal(auth.rejected(first), true);
    const retry = await auth.headers();
    assert.deepEqual(retry, { authorization: 'Bearer t2' }, 'not the refused token again');
    assert.deepEqual(await inFlight, first, 'the other caller still gets its answer');
  });
});
