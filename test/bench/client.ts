import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One request, prepared before the clock starts: parsed URL, headers, body bytes. */
export interface Prepared {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export function prepare(url: string, headers: Record<string, string>, body: string): Prepared {
  const u = new URL(url);
  const bytes = Buffer.from(body, 'utf8');
  return {
    host: u.hostname,
    port: Number(u.port),
    path: u.pathname + u.search,
    headers: { ...headers, 'content-length': String(bytes.length) },
    body: bytes,
  };
}

/** What one request came to: an HTTP status (0 when none came) and its latency. */
export interface Sent {
  readonly status: number;
  readonly ms: number;
  readonly error?: string;
}

/**
 * The load generator: node:http with one keep-alive agent, the transport the function itself
 * uses, so "direct" and "through the function" pay the same client cost. Measured to keep up:
 * the direct burst in the table is this client against the fake Airflow alone. Sockets idle for
 * 4 s are dropped before the Functions Framework's 5 s keep-alive timeout can race a reuse.
 */
export class LoadClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, timeout: 4000 });

  post(req: Prepared): Promise<Sent> {
    const started = performance.now();
    return new Promise((resolve) => {
      const done = (status: number, error?: string) => {
        const ms = performance.now() - started;
        resolve(error === undefined ? { status, ms } : { status, ms, error });
      };
      const r = http.request(
        {
          host: req.host,
          port: req.port,
          path: req.path,
          method: 'POST',
          headers: req.headers,
          agent: this.agent,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            done(res.statusCode ?? 0);
          });
          res.on('error', (err) => {
            done(0, err.message);
          });
        },
      );
      r.on('error', (err) => {
        done(0, err.message);
      });
      r.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface BurstResult {
  readonly results: readonly Sent[];
  readonly wallMs: number;
  /** CPU time of this process (client and fakes) during the burst, in ms. */
  readonly benchCpuMs: number;
}

/**
 * All requests at `concurrency` in flight until done; wall time from first send to last answer.
 * `atHalf` is called once, as the middle request is sent (the bench's mid-burst memory mark).
 */
export async function runBurst(
  client: LoadClient,
  requests: readonly Prepared[],
  concurrency: number,
  atHalf?: () => void,
): Promise<BurstResult> {
  const results: Sent[] = new Array<Sent>(requests.length);
  const middle = Math.floor(requests.length / 2);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < requests.length; i = next++) {
      if (i === middle) atHalf?.();
      const req = requests[i];
      if (req !== undefined) results[i] = await client.post(req);
    }
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { results, wallMs, benchCpuMs: (used.user + used.system) / 1000 };
}
