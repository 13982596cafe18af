import http from 'node:http';
import https from 'node:https';
import type { RequestOptions } from 'node:http';
import { urlToHttpOptions } from 'node:url';
import { TransportError } from './errors/transport-error';

/** One HTTP request: the transport's input, whatever API it is for. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** `POST https://host/api/v1/dags/x/dagRuns`: how requests are named in logs and errors. */
export const describeRequest = (req: HttpRequest): string => `${req.method} ${req.url}`;

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Sends one request; resolves with any HTTP status, rejects with TransportError when none came.
 * At most `maxBodyBytes` of the answer are kept (64 KiB by default).
 */
export type Transport = (
  request: HttpRequest,
  timeoutMs: number,
  maxBodyBytes?: number,
) => Promise<HttpResponse>;

// node:http with keep-alive rather than gaxios or fetch on the per-event path: measured on this
// project's machine (1000+ POSTs at concurrency 80 to a loopback server), node:http cost ~170 µs
// of CPU per request, gaxios with a keep-alive agent ~420 µs, global fetch ~550 µs, and CPU is
// what limits a burst into one instance. See test/bench for the numbers in context.
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
} as const;

/** Error answers are small; a larger body is cut, never buffered whole. */
export const MAX_BODY_BYTES = 64 * 1024;

function reasonOf(err: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `TIMEOUT: no answer within ${timeoutMs} ms`;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === undefined ? err.message : `${code}: ${err.message}`;
  }
  return String(err);
}

/**
 * The last URL's request options (`url.urlToHttpOptions`, what `http.request(url)` derives): a
 * function posts to the same DAG's URL event after event, and parsing it again cost a URL object
 * and its conversion per request (issue 20).
 */
let lastTarget: { readonly url: string; readonly options: RequestOptions } | undefined;

function targetOf(url: string): RequestOptions {
  if (lastTarget?.url === url) return lastTarget.options;
  const options = urlToHttpOptions(new URL(url));
  lastTarget = { url, options };
  return options;
}

// The deadline is one plain timer per request, cleared when the answer ends. An
// AbortSignal.timeout() passed as `signal` did the same job with an EventTarget, a weak timer and
// abort listeners on the request and its socket: ~0.1 ms of CPU per event more in a burst,
// measured by `npm run bench` (issue 6).
export const send: Transport = (request, timeoutMs, maxBodyBytes = MAX_BODY_BYTES) =>
  new Promise((resolve, reject) => {
    const target = targetOf(request.url);
    // The body goes out as the string it is: a Buffer.from copy per request was garbage that kept
    // its 8 KiB pool slab alive until a GC (ArrayBuffers at a burst's peak 2.9 → 1.5 MiB, `npm run
    // bench -- --memory`; issue 20).
    const { body } = request;
    const headers =
      body === undefined
        ? request.headers
        : { ...request.headers, 'content-length': String(Buffer.byteLength(body, 'utf8')) };
    const secure = target.protocol === 'https:';
    const client = secure ? https : http;
    const agent = secure ? AGENTS['https:'] : AGENTS['http:'];
    let timedOut = false;
    // The socket error carries no request headers, but it is not attached as `cause` anyway:
    // nothing that held the request may travel with an error.
    const fail = (err: unknown) => {
      clearTimeout(timer);
      reject(new TransportError(describeRequest(request), reasonOf(err, timedOut, timeoutMs)));
    };
    const options = { ...target, method: request.method, headers, agent };
    const req = client.request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < maxBodyBytes) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        // One chunk (a small answer, the usual case) is read where it lies, without a copy.
        const whole = chunks.length === 1 ? chunks[0] : undefined;
        const text = (whole ?? Buffer.concat(chunks)).subarray(0, maxBodyBytes).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    // Covers connecting, sending and the whole answer; destroying the request fails it (or its
    // response, if one started) with a socket error, reported as TIMEOUT.
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, timeoutMs).unref();
    req.on('error', fail);
    if (body === undefined) req.end();
    else req.end(body, 'utf8');
  });
