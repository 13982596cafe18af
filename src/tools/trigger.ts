#!/usr/bin/env node
/**
 * `trigger gs://BUCKET/OBJECT#GENERATION`: starts the configured DAG for one object version from a
 * terminal, through the function's own pipeline (same settings, client and run id), to smoke-test
 * a deployment. A second call for the same version is a duplicate, as a redelivery would be.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createLogger } from '../basics/log';
import { parseConfig } from '../function/config';
import { DeliveryError } from '../function/errors/delivery-error';
import type { Delivery } from '../function/event';
import { instanceOf } from '../function/instance';
import { parseCli, runMain } from './cli';
import { parseObjectUri, resolveObjectData } from './object-ref';
import { loadSettings } from '../planner/settings';

const HELP = `Usage: trigger [--generation N] [--settings FILE] [--no-lookup] gs://BUCKET/OBJECT[#GENERATION]

Creates the DAG run the function would create for that object version, with the function's
settings from the environment (AIRFLOW_URL, DAG_ID, AUTH_MODE, …; see the README) or, with
--settings, from the env: of a deploy settings file. The conf carries the object's metadata, read
from Cloud Storage with your credentials, as the finalize event would; without a generation the
live version is used. The generation is part of the run id (\`gcloud storage ls -a\` prints
gs://BUCKET/OBJECT#GENERATION).
Prints created, duplicate or failed; exits 0 only for created and duplicate. Logs go to stderr.

  --generation N    the object's generation (or #N after the name)
  --settings FILE   take the function's environment from this settings file's env:
  --no-lookup       do not read the metadata: the conf carries bucket, name and generation only
`;

const OPTIONS = {
  generation: { type: 'string' },
  settings: { type: 'string' },
  'no-lookup': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<number> {
  const { values: f, positionals } = parseCli(process.argv.slice(2), OPTIONS, true);
  if (f.help === true || positionals.length !== 1) {
    (f.help === true ? process.stdout : process.stderr).write(HELP);
    return f.help === true ? 0 : 2;
  }
  const ref = parseObjectUri(positionals[0] ?? '', f.generation);
  const given =
    f.settings === undefined ? process.env : { ...process.env, ...loadSettings(f.settings).env };
  // Someone at a terminal wants to know now that the DAG is missing, not after the function's
  // grace for DAGs still being parsed; setting the variable still wins.
  const env = { DAG_NOT_FOUND_GRACE_SECONDS: '0', ...given };
  // A bad setting is thrown as the ConfigError it is: runMain prints it and exits 2.
  const instance = instanceOf(parseConfig(env), {
    logger: createLogger(pino.destination({ dest: 2, sync: true })),
  });
  const { data, note } = await resolveObjectData(
    ref,
    f['no-lookup'] === true ? undefined : instance.storage,
  );
  if (note !== undefined) process.stderr.write(`note: ${note}\n`);
  const delivery: Delivery = {
    meta: {
      id: `manual-${randomUUID()}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: `//storage.googleapis.com/projects/_/buckets/${ref.bucket}`,
    },
    data,
  };
  try {
    const { outcome, message } = await instance.deliver(delivery);
    process.stdout.write(`${outcome}: ${message}\n`);
    return outcome === 'created' || outcome === 'duplicate' ? 0 : 1;
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    // The function's wording is for the platform; from a terminal, trying again is up to you.
    process.stdout.write(`failed (transient, try again later): ${err.reason}\n`);
    return 1;
  }
}

runMain(main);
