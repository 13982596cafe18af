/**
 * The minimal reference function (issue 20), never deployed: under the same Functions Framework,
 * only what the job must do. One token per instance from the metadata server, fetched at cold
 * start over plain `node:http`; per event, one keep-alive `node:http` POST of the same body the
 * product sends (the object data plus `event`) and one JSON log line. No validation, retries,
 * idempotency checks or error handling beyond "not 2xx throws": every figure of `npm run bench`
 * is a ratio to this, so it is the physical limit of the job on this machine, not a product.
 */
import http from 'node:http';
import * as functions from '@google-cloud/functions-framework';
import { referenceRunId } from './reference-run-id';

const env = process.env;
const airflow = new URL(env['AIRFLOW_URL'] ?? 'http://127.0.0.1:8080');
const agent = new http.Agent({ keepAlive: true });
const dagRuns = `/api/v1/dags/${env['DAG_ID'] ?? ''}/dagRuns`;

/** The path of the token for the bench's AUTH_MODE (iap: an ID token; google: an access token). */
function tokenPath(): string | undefined {
  const base = '/computeMetadata/v1/instance/service-accounts/default';
  if (env['AUTH_MODE'] === 'iap')
    return `${base}/identity?audience=${encodeURIComponent(env['IAP_CLIENT_ID'] ?? '')}`;
  if (env['AUTH_MODE'] === 'google') return `${base}/token`;
  return undefined;
}

function get(path: string): Promise<string> {
  const [host, port] = (env['GCE_METADATA_HOST'] ?? '169.254.169.254').split(':');
  return new Promise((resolve, reject) => {
    http
      .get(
        { host, port: Number(port ?? 80), path, headers: { 'Metadata-Flavor': 'Google' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            resolve(text);
          });
        },
      )
      .on('error', reject);
  });
}

async function fetchAuthorization(): Promise<string | undefined> {
  const path = tokenPath();
  if (path === undefined) return undefined;
  const text = await get(path);
  const token =
    env['AUTH_MODE'] === 'google'
      ? (JSON.parse(text) as { access_token: string }).access_token
      : text;
  return `Bearer ${token}`;
}

/** Once per instance, started at cold start. */
const authorization = fetchAuthorization();
authorization.catch(() => undefined);

function post(body: string, auth: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: airflow.hostname,
        port: Number(airflow.port),
        path: dagRuns,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(auth !== undefined && { authorization: auth }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface ObjectData {
  readonly bucket: string;
  readonly name: string;
  readonly generation: string;
}

functions.cloudEvent('reference', async (event: functions.CloudEvent<ObjectData>) => {
  const data = event.data as ObjectData;
  const runId = referenceRunId(data.bucket, data.name, data.generation);
  const conf = {
    ...data,
    event: { id: event.id, type: event.type, time: event.time, source: event.source },
  };
  const status = await post(JSON.stringify({ dag_run_id: runId, conf }), await authorization);
  if (status < 200 || status >= 300) throw new Error(`Airflow answered ${status}`);
  process.stdout.write(
    `${JSON.stringify({ severity: 'INFO', message: 'DAG run created', runId, status })}\n`,
  );
});
