import type { ObjectEvent } from './event';
import type { JsonText, JsonTextResult } from '../basics/json-text';
import { jsonScalar, toJsonText, withMembers } from '../basics/json-text';
import { describeObjectVersion } from '../basics/gs-uri';

/** The key an asset event's extra carries for the object version (issue 12). */
export const EVENT_KEY = 'objectVersionKey';

export interface ConfExtras {
  /** A route's static keys; the object's own fields win on a clash. */
  readonly staticConf?: Readonly<Record<string, unknown>>;
  /** The object's content as exact JSON text (routes with `content: json`), under `conf.content`. */
  readonly content?: JsonText;
  /**
   * The object version's key (the string a DAG run id would be), last, as `objectVersionKey`: an
   * asset event has no id of ours, so its extra carries one for the DAG and the duplicate check.
   */
  readonly key?: string;
}

/**
 * The DAG run's `conf` apart from a trigger file's content: the object data exactly as received
 * (so a DAG written for Google's Python sample keeps reading `dag_run.conf['name']`), plus
 * `event`, the delivery's own attributes, and a route's static keys.
 */
export function buildConf(event: ObjectEvent, extras: ConfExtras = {}): Record<string, unknown> {
  const conf: Record<string, unknown> = {
    ...extras.staticConf,
    ...event.data,
    event: { ...event.meta },
  };
  // The content is carried as text (serializeConf); a `content` key of the route or the object
  // gives way to it.
  if (extras.content !== undefined) delete conf['content'];
  if (extras.key !== undefined) delete conf.objectVersionKey;
  return conf;
}

/**
 * The conf as JSON text, built once per delivery before any request, so every attempt sends the
 * same bytes and nothing can throw later (issue 9). The content goes in as written: its numbers
 * keep every digit. A failure names the object; the caller makes it a dead letter.
 */
export function serializeConf(event: ObjectEvent, extras: ConfExtras = {}): JsonTextResult {
  const fields = toJsonText(buildConf(event, extras));
  if (!fields.ok) {
    const where = describeObjectVersion(event.bucket, event.name, event.generation);
    return { ok: false, reason: `the conf for ${where} is ${fields.reason}` };
  }
  const members: [string, JsonText][] = [];
  if (extras.content !== undefined) members.push(['content', extras.content]);
  if (extras.key !== undefined) members.push([EVENT_KEY, jsonScalar(extras.key)]);
  return { ok: true, text: withMembers(fields.text, members) };
}
