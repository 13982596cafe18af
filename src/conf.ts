import type { ObjectEvent } from './event';

/**
 * The DAG run's `conf`: the object data exactly as received (so a DAG written for Google's Python
 * sample keeps reading `dag_run.conf['name']`), plus `event`, the delivery's own attributes.
 * `extra` (a route's static conf, the file's content) is laid over the object fields.
 */
export function buildConf(
  event: ObjectEvent,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return { ...event.data, ...extra, event: { ...event.meta } };
}
