import { triggerRequest } from '../../src/function/airflow/request';
import { serializeConf } from '../../src/function/conf';
import { parseDelivery } from '../../src/function/event';
import { makeRunId } from '../../src/function/run-id';
import type { HttpDelivery } from '../helpers/events';
import { binary, FINALIZED, objectData } from '../helpers/events';
import type { Prepared } from './client';
import { prepare } from './client';
import { referenceRunId } from './reference-run-id';

export const DAG_ID = 'composer_sample_trigger_response_dag';
export const BUCKET = 'bench-bucket';
export const IAP_CLIENT_ID = '123456789012-benchiap.apps.googleusercontent.com';

/** `count` distinct object versions (so each is a new DAG run), as Eventarc delivers them. */
export function deliveries(prefix: string, count: number): HttpDelivery[] {
  return Array.from({ length: count }, (_, i) =>
    binary(objectData(BUCKET, `${prefix}/file-${i}.csv`, String(1_700_000_000_000_000 + i))),
  );
}

export function toFunction(url: string, list: readonly HttpDelivery[]): Prepared[] {
  return list.map((d) => prepare(url, d.headers, d.body));
}

/**
 * The request the function would send for each delivery, built by the function's own code
 * (same path, body and conf), sent straight to the fake Airflow: the floor for per-event latency.
 */
export function toAirflow(
  airflowUrl: string,
  list: readonly HttpDelivery[],
  authorization: string | undefined,
): Prepared[] {
  const target = { airflowUrl, api: 'v1', dagId: DAG_ID } as const;
  return list.map((d) => {
    const parsed = parseDelivery({
      meta: {
        id: d.headers['ce-id'] ?? null,
        type: FINALIZED,
        time: d.headers['ce-time'] ?? null,
        source: d.headers['ce-source'] ?? null,
      },
      data: JSON.parse(d.body) as unknown,
    });
    if (!parsed.ok) throw new Error(`bench event does not parse: ${parsed.reason}`);
    const { event } = parsed;
    const conf = serializeConf(event);
    if (!conf.ok) throw new Error(`bench conf does not serialize: ${conf.reason}`);
    const request = triggerRequest(
      target,
      makeRunId(event.bucket, event.name, event.generation),
      conf.text,
    );
    const headers = { ...request.headers, ...(authorization && { authorization }) };
    return prepare(request.url, headers, request.body ?? '');
  });
}

/**
 * The DAG run each delivery should have created: the function's own run-id rule, or the minimal
 * reference's (issue 20).
 */
export function runKeys(list: readonly HttpDelivery[], reference = false): string[] {
  const rule = reference ? referenceRunId : makeRunId;
  return list.map((d) => {
    const data = JSON.parse(d.body) as { bucket: string; name: string; generation: string };
    return `${DAG_ID}/${rule(data.bucket, data.name, data.generation)}`;
  });
}
