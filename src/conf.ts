import type { ObjectEvent } from './event';

export interface ConfExtras {
  /** A route's static keys; the object's own fields win on a clash. */
  readonly staticConf?: Readonly<Record<string, unknown>>;
  /** The object's parsed content (routes with `content: json`), under `conf.content`. */
  readonly content?: unknown;
}

/**
 * The DAG run's `conf`: the object data exactly as received (so a DAG written for Google's Python
 * sample keeps reading `dag_run.conf['name']`), plus `event`, the delivery's own attributes, and
 * what a route adds.
 */
export function buildConf(event: ObjectEvent, extras: ConfExtras = {}): Record<string, unknown> {
  return {
    ...extras.staticConf,
    ...event.data,
    ...('content' in extras && { content: extras.content }),
    event: { ...event.meta },
  };
}
