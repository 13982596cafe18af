import { randomUUID } from 'node:crypto';
import type { Delivery } from '../../src/function/event';
import { withDeadline } from './deadline';

/** One HTTP delivery to a function: what Eventarc, Cloud Storage or a test would send. */
export interface HttpDelivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export const FINALIZED = 'google.cloud.storage.object.v1.finalized';
export const LEGACY_FINALIZE = 'google.storage.object.finalize';

export interface ObjectFields {
  readonly bucket: string;
  readonly name: string;
  readonly generation: string | number;
  readonly [key: string]: unknown;
}

/** A plausible object resource, as Cloud Storage sends it (strings for int64 fields). */
export function objectData(
  bucket: string,
  name: string,
  generation: string | number,
  extra: Record<string, unknown> = {},
): ObjectFields {
  return {
    kind: 'storage#object',
    id: `${bucket}/${name}/${generation}`,
    bucket,
    name,
    generation,
    metageneration: '1',
    contentType: 'text/csv',
    size: '42',
    timeCreated: new Date().toISOString(),
    updated: new Date().toISOString(),
    ...extra,
  };
}

export interface Attributes {
  readonly id?: string;
  readonly type?: string;
  readonly time?: string;
  readonly source?: string;
  readonly subject?: string;
}

function attributes(data: unknown, attrs: Attributes): Required<Attributes> {
  const bucket =
    typeof data === 'object' && data !== null && 'bucket' in data ? String(data.bucket) : 'bucket';
  const name =
    typeof data === 'object' && data !== null && 'name' in data ? String(data.name) : 'object';
  return {
    id: attrs.id ?? randomUUID(),
    type: attrs.type ?? FINALIZED,
    time: attrs.time ?? new Date().toISOString(),
    source: attrs.source ?? `//storage.googleapis.com/projects/_/buckets/${bucket}`,
    subject: attrs.subject ?? `objects/${name}`,
  };
}

/** Binary content mode, as Eventarc delivers: attributes in `ce-*` headers, data as the body. */
export function binary(data: unknown, attrs: Attributes = {}, bodyText?: string): HttpDelivery {
  const a = attributes(data, attrs);
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': a.id,
      'ce-type': a.type,
      'ce-time': a.time,
      'ce-source': a.source,
      // Header values are percent-encoded per the CloudEvents HTTP binding.
      'ce-subject': encodeURIComponent(a.subject).replace(/%2F/g, '/'),
    },
    body: bodyText ?? JSON.stringify(data),
  };
}

/** Structured content mode: the whole CloudEvent in the body. */
export function structured(envelope: Record<string, unknown>): HttpDelivery {
  return {
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(envelope),
  };
}

/**
 * A 1st-gen background event, as Cloud Storage sends it to a 1st-gen function. The context's
 * resource names the object (from `data` unless given: tests that break `data` keep it valid).
 */
export function legacy(
  data: unknown,
  attrs: {
    eventId?: string;
    eventType?: string;
    timestamp?: string;
    bucket?: string;
    name?: string;
  } = {},
): HttpDelivery {
  const field = (k: string) =>
    typeof data === 'object' && data !== null && k in data
      ? String((data as Record<string, unknown>)[k])
      : undefined;
  const bucket = attrs.bucket ?? field('bucket') ?? 'bucket';
  const name = attrs.name ?? field('name') ?? 'object';
  const context = {
    eventId: attrs.eventId ?? String(Math.floor(Math.random() * 1e15)),
    timestamp: attrs.timestamp ?? new Date().toISOString(),
    eventType: attrs.eventType ?? LEGACY_FINALIZE,
    resource: {
      service: 'storage.googleapis.com',
      name: `projects/_/buckets/${bucket}/objects/${name}`,
      type: 'storage#object',
    },
  };
  return {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ context, data }),
  };
}

export interface Delivered {
  readonly status: number;
  readonly body: string;
}

/**
 * How long a test waits for a function's answer. Every test stack answers within a second or two
 * (short budgets, loopback fakes); a function stuck retrying (a permanent refusal taken for
 * transient, a budget ignored) would otherwise hold the test until the runner's 120 s timeout.
 */
export const DELIVERY_DEADLINE_MS = 15_000;

export function deliver(
  url: string,
  delivery: HttpDelivery,
  deadlineMs = DELIVERY_DEADLINE_MS,
): Promise<Delivered> {
  const abort = new AbortController();
  const answer = async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
      signal: abort.signal,
    });
    return { status: res.status, body: await res.text() };
  };
  return withDeadline(answer(), deadlineMs, `POST ${url} (delivery)`, () => {
    abort.abort();
  });
}

/** Delivers until a 2xx, as the platform does with retries on (waiting `pauseMs` between tries). */
export async function deliverUntilAcked(
  url: string,
  delivery: HttpDelivery,
  maxTries = 20,
  /** Between tries, as the platform's backoff (shortened). */
  pauseMs = 0,
): Promise<{ tries: number; last: Delivered }> {
  for (let tries = 1; ; tries += 1) {
    const last = await deliver(url, delivery);
    if ((last.status >= 200 && last.status < 300) || tries >= maxTries) return { tries, last };
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/**
 * A finalized object's delivery as the pipeline takes it (in-process tests), in bucket `bkt` unless
 * `data` says otherwise: the 2nd gen attributes, the event made `ageSeconds` ago.
 */
export function finalizedDelivery(
  id: string,
  name: string,
  generation: string,
  options: { readonly ageSeconds?: number; readonly extra?: Record<string, unknown> } = {},
): Delivery {
  return {
    meta: {
      id,
      type: FINALIZED,
      time: new Date(Date.now() - (options.ageSeconds ?? 0) * 1000).toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/bkt',
    },
    data: objectData('bkt', name, generation, options.extra),
  };
}
