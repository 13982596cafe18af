/**
 * `npm run gcs-stand-in [-- --port 8082]`: a local stand-in for the Cloud Storage JSON API, the
 * fake the tests use (test/fakes/gcs.ts), on its own, so dead letters can be kept and replayed by
 * hand (docs/development.md, "Keep dead letters locally", issue 17 item 8): point the function
 * and `replay` at it with STORAGE_EMULATOR_HOST, which @google-cloud/storage honours by itself
 * (LIBRARY-FACTS.md). Objects live in memory; it prints every object written and every delete.
 * Started, and its errors printed, as the Airflow stand-in is.
 */
import { UsageError } from '../src/basics/errors/usage-error';
import { parseCli, runMain } from '../src/tools/cli';
import { FakeGcs } from './fakes/gcs';

const HELP = `Usage: gcs-stand-in [--port N]

A local stand-in for the Cloud Storage JSON API on 127.0.0.1, as far as this project calls it:
objects written (multipart, with ifGenerationMatch), listed, read by generation, deleted; every
generation kept in memory. Prints every object written and every delete. Point the function and
replay at it with STORAGE_EMULATOR_HOST=http://127.0.0.1:PORT (no credentials are sent), e.g.
DEAD_LETTER_URI=gs://dead-letters/trigger/; any bucket name works. Ctrl-C stops (and forgets).

  --port N          port to listen on (default 8082; 0 picks a free one)
`;

const OPTIONS = {
  port: { type: 'string', default: '8082' },
  help: { type: 'boolean', short: 'h' },
} as const;

function portOf(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535 (got ${value})`);
  }
  return n;
}

/** The fake as it is, told to say what is written and deleted. */
function verbose(gcs: FakeGcs): FakeGcs {
  const put = gcs.put.bind(gcs);
  gcs.put = (bucket, name, content, contentType) => {
    const generation = put(bucket, name, content, contentType);
    console.log(`wrote gs://${bucket}/${name}#${generation} (${Buffer.byteLength(content)} bytes)`);
    return generation;
  };
  gcs.onRequest = (req) => {
    const one = /^\/b\/([^/]+)\/o\/(.+)$/.exec(req.path);
    if (req.method !== 'DELETE' || one === null) return;
    const [bucket, name] = [one[1] ?? '', one[2] ?? ''].map(decodeURIComponent);
    const only = req.query.get('ifGenerationMatch');
    console.log(`delete gs://${bucket}/${name}${only === null ? '' : `#${only}`}`);
  };
  return gcs;
}

async function main(): Promise<number> {
  const { values } = parseCli(process.argv.slice(2), OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = portOf(values.port);
  const gcs = verbose(new FakeGcs());
  try {
    await gcs.start(port);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`could not listen on 127.0.0.1:${port} (${why}): pass another --port`, {
      cause: err,
    });
  }
  console.log(
    `Cloud Storage stand-in on ${gcs.url}; STORAGE_EMULATOR_HOST=${gcs.url}; Ctrl-C to stop`,
  );
  return 0;
}

runMain(main);
