/**
 * The benchmark's baseline: this project's pipeline, unchanged, with the token handling of
 * Google's Python sample (`make_iap_request` calls `id_token.fetch_id_token` for every request),
 * so the only difference from the product is one token fetch per event. Served by the same
 * Functions Framework as `triggerDag`; it is never deployed (test/ is not in the upload).
 *
 * Generous to the baseline, on purpose: the Python sample also pings the metadata server before
 * each fetch and opens a new connection per request (requests without a Session); here the
 * fetch is one round trip (METADATA_SERVER_DETECTION=assume-present) and the POST reuses the
 * product's keep-alive transport.
 */
import * as functions from '@google-cloud/functions-framework';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Auth } from '../../src/function/auth';
import type { AuthConfig } from '../../src/function/config';
import { parseConfig } from '../../src/function/config';
import { AuthError } from '../../src/function/errors/auth-error';
import { fromCloudEvent } from '../../src/function/event';
import { send } from '../../src/basics/http';
import { createLogger } from '../../src/basics/log';
import { createPipeline } from '../../src/function/pipeline';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** A new google-auth-library client for every call: nothing cached, nothing shared. */
function tokenPerEvent(auth: AuthConfig): Auth {
  if (auth.mode === 'none') return { headers: () => Promise.resolve({}), rejected: () => false };
  return {
    rejected: () => true,
    async headers() {
      const { GoogleAuth } = await import('google-auth-library');
      const client =
        auth.mode === 'iap'
          ? await new GoogleAuth().getIdTokenClient(auth.audience)
          : await new GoogleAuth({ scopes: [CLOUD_PLATFORM] }).getClient();
      const authorization = (await client.getRequestHeaders()).get('authorization');
      if (authorization === null) throw new AuthError('no Authorization header', false);
      return { authorization };
    },
  };
}

const config = parseConfig(process.env);
const logger = createLogger();
const pipeline = createPipeline({
  config,
  logger,
  auth: tokenPerEvent(config.auth),
  transport: send,
  now: Date.now,
  random: Math.random,
  sleep: (ms) => sleep(ms),
});

functions.cloudEvent('triggerDag', async (event: functions.CloudEvent<unknown>) => {
  await pipeline(fromCloudEvent(event));
});
