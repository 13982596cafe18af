#!/usr/bin/env node
/**
 * `trigger gs://BUCKET/OBJECT#GENERATION`: starts the configured DAG for one object version from a
 * terminal, through the function's own pipeline (same settings, client and run id), to smoke-test
 * a deployment. A second call for the same version is a duplicate, as a redelivery would be.
 */
import { randomUUID } from 'node:crypto';
import { UsageError } from '../basics/errors/usage-error';
import { hideKnownSecrets } from '../basics/secret-values';
import { parseConfig } from '../function/config';
import { DeliveryError } from '../function/errors/delivery-error';
import type { Delivery } from '../function/event';
import type { Instance } from '../function/instance';
import { instanceOf } from '../function/instance';
import { parseCli, runMain } from './cli';
import { withCredentialsHint } from './credentials';
import { functionEnv, toolLogger } from './function-env';
import type { ObjectRef } from './object-ref';
import { parseObjectUri, resolveObjectData } from './object-ref';

const HELP = `Usage: trigger [--settings FILE] [--generation N] [--no-lookup] [--verbose] gs://BUCKET/OBJECT[#GENERATION]

Creates the DAG run the function would create for that object version, with the function's
settings from the environment (AIRFLOW_URL, DAG_ID, AUTH_MODE, …; see docs/configuration.md) or,
with --settings, from the env: of a deploy settings file. The conf carries the object's metadata,
read from Cloud Storage with your credentials, as the finalize event would; without a generation
the live version is used, and an object that does not exist is refused. The generation is part
of the run id (\`gcloud storage ls -a\` prints gs://BUCKET/OBJECT#GENERATION).
Prints created, duplicate or failed on stdout; exits 0 only for created and duplicate, 1 for
anything else, 2 when the command or the settings must change.

  --settings FILE   take the function's environment from this settings file's env:
  --generation N    the object's generation (or #N after the name)
  --no-lookup       do not read the metadata: the conf carries bucket, name and generation only
  --verbose         also print the function's JSON log line on stderr
`;

const OPTIONS = {
  settings: { type: 'string' },
  generation: { type: 'string' },
  'no-lookup': { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The finalize event the platform would deliver for this object version. */
function deliveryFor(ref: ObjectRef, data: Record<string, unknown>): Delivery {
  return {
    meta: {
      id: `manual-${randomUUID()}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: `//storage.googleapis.com/projects/_/buckets/${ref.bucket}`,
    },
    data,
  };
}

/** One line on stdout: created, duplicate, or why not. */
async function deliverOnce(instance: Instance, delivery: Delivery): Promise<number> {
  try {
    const { outcome, message } = await instance.deliver(delivery);
    const ok = outcome === 'created' || outcome === 'duplicate';
    const said = ok ? message : withCredentialsHint(message);
    process.stdout.write(hideKnownSecrets(`${outcome}: ${said}\n`));
    return ok ? 0 : 1;
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    // The function's wording is for the platform; from a terminal, trying again is up to you.
    const why = withCredentialsHint(err.reason);
    process.stdout.write(hideKnownSecrets(`failed (transient, try again later): ${why}\n`));
    return 1;
  }
}

async function main(): Promise<number> {
  const { values: f, positionals } = parseCli(process.argv.slice(2), OPTIONS, true);
  if (f.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const [uri, ...more] = positionals;
  if (uri === undefined || more.length > 0) {
    throw new UsageError('trigger takes one gs://BUCKET/OBJECT[#GENERATION] (see --help)');
  }
  const ref = parseObjectUri(uri, f.generation);
  // Someone at a terminal wants to know now that the DAG is missing, not after the function's
  // grace for DAGs still being parsed; setting the variable still wins.
  const env = { DAG_NOT_FOUND_GRACE_SECONDS: '0', ...functionEnv(f.settings, process.env, true) };
  // A bad setting is thrown as the ConfigError it is: runMain prints it and exits 2.
  const instance = instanceOf(parseConfig(env), { logger: toolLogger(f.verbose === true) });
  const lookup = f['no-lookup'] === true ? undefined : instance.storage;
  const { data, note } = await resolveObjectData(ref, lookup);
  if (note !== undefined) process.stderr.write(hideKnownSecrets(`note: ${note}\n`));
  return deliverOnce(instance, deliveryFor(ref, data));
}

runMain(main);
