import http from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { Answer, Api, StoredRun } from './airflow-api';
import {
  created,
  dagMissing,
  experimentalRunJson,
  logicalDateTaken,
  parseTrigger,
  refuse,
  runExists,
  runJson,
} from './airflow-api';
import type { AssetEvent, AssetTriggeredRun, ScheduledDag, StoredAsset } from './airflow-assets';
import { AssetStore } from './airflow-assets';
import { ASSET_PATH, answerAssets } from './airflow-assets-api';
import { close, delay, listen, readBody, sendJson } from './http-server';
import { verifyJwt } from './jwt';

/** What to do to one request instead of (or around) answering it normally. */
export type Fault =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Record<string, string>;
      /** Answer only after this long. */
      readonly afterMs?: number;
    }
  /** Answer with these exact bytes (a proxy, a sign-in page, a catch-all). */
  | {
      readonly kind: 'raw';
      readonly status: number;
      readonly contentType?: string;
      readonly body: string;
    }
  /** Accept the request and never answer it. */
  | { readonly kind: 'hang' }
  /** Close the connection before handling: nothing is created. */
  | { readonly kind: 'reset' }
  /** Create the run (or record the asset event), then close the connection: the answer is lost. */
  | { readonly kind: 'lost' }
  /** Handle, then answer only after `ms` (longer than the client's timeout: lost as well). */
  | { readonly kind: 'slow'; readonly ms: number }
  /** "Already exists" about another run holding the same logical date (DAG runs only). */
  | { readonly kind: 'conflict' };

export interface Recorded {
  readonly method: string;
  readonly path: string;
  /** The query string, without `?` (empty when there is none). */
  readonly search: string;
  readonly api: Api | null;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Arrival time (ms since epoch), to check waits between attempts. */
  readonly at: number;
  readonly fault: Fault['kind'] | null;
}

export interface FakeAirflowOptions {
  readonly dags?: Iterable<string>;
  /** Require `Authorization: Bearer <JWT>` signed by this key, for this audience or scope. */
  readonly auth?: {
    readonly publicKey: KeyObject;
    readonly audience?: string;
    readonly scope?: string;
  };
  /** Delay before every answer, as a real web server's round trip. */
  readonly latencyMs?: number;
  /** Loopback port to listen on; ephemeral by default. */
  readonly port?: number;
  /** Told about every run created (the stand-in prints them). */
  readonly onCreated?: (run: StoredRun) => void;
  /** Asset (dataset) URIs it knows, ids 1, 2, 3… in this order (issue 12). */
  readonly assets?: Iterable<string>;
  /** DAGs scheduled on an asset, run by `schedule()` (data-aware scheduling). */
  readonly scheduledDags?: readonly ScheduledDag[];
  /** Told about every asset event recorded (the stand-in prints them). */
  readonly onAssetEvent?: (event: AssetEvent) => void;
  /** Consulted for every request in arrival order; may be replaced at any time. */
  readonly faults?: (request: Omit<Recorded, 'fault'>, index: number) => Fault | undefined;
}

const TRIGGER =
  /^\/api\/(experimental)\/dags\/([^/]+)\/dag_runs$|^\/api\/(v1|v2)\/dags\/([^/]+)\/dagRuns$/;
const GET_RUN = /^\/api\/(v1|v2)\/dags\/([^/]+)\/dagRuns\/([^/]+)$/;

/**
 * A loopback Airflow web server: the three trigger endpoints, GET run, in-memory runs; and the
 * asset endpoints of v1 and v2 with an asset-triggered scheduler the caller ticks.
 */
export class FakeAirflow {
  readonly dags: Set<string>;
  readonly runs = new Map<string, StoredRun>();
  readonly requests: Recorded[] = [];
  /** Counts for reports: refusals of a run id that already existed, asset events recorded, faults. */
  readonly stats = { duplicatesRefused: 0, assetEvents: 0, faults: {} as Record<string, number> };
  readonly assets: AssetStore;
  /** Tokens refused with 401 although validly signed (revoked, keys rotated). */
  readonly revoked = new Set<string>();
  url = '';
  faults: FakeAirflowOptions['faults'];
  private readonly held: http.ServerResponse[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  constructor(private readonly options: FakeAirflowOptions = {}) {
    this.dags = new Set(options.dags ?? ['composer_sample_trigger_response_dag']);
    this.faults = options.faults;
    this.assets = new AssetStore({
      assets: options.assets ?? [],
      scheduledDags: options.scheduledDags ?? [],
      onEvent: (event) => {
        this.stats.assetEvents += 1;
        options.onAssetEvent?.(event);
      },
    });
  }

  async start(): Promise<this> {
    this.url = await listen(this.server, this.options.port);
    return this;
  }

  close(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    return close(this.server);
  }

  runsOf(dagId: string): StoredRun[] {
    return [...this.runs.values()].filter((r) => r.dagId === dagId);
  }

  /** Every asset event recorded, oldest first. */
  get assetEvents(): readonly AssetEvent[] {
    return this.assets.events;
  }

  eventsOf(uri: string): AssetEvent[] {
    return this.assets.eventsOf(uri);
  }

  /** A DAG declares `uri`: a new asset with the next id, or the orphaned one active again. */
  declareAsset(uri: string): StoredAsset {
    return this.assets.declare(uri);
  }

  /** No DAG declares `uri` any more: v2 lists it only with only_active=false; events still land. */
  orphanAsset(uri: string): boolean {
    return this.assets.orphan(uri);
  }

  /** The asset is deleted: 404 on both APIs, listed by neither; declaring it again gives a new id. */
  forgetAsset(uri: string): boolean {
    return this.assets.forget(uri);
  }

  /** One scheduler loop: a run per scheduled DAG with queued events; returns the runs created. */
  schedule(): AssetTriggeredRun[] {
    return this.assets.schedule();
  }

  /** Every asset-triggered run created so far. */
  get assetRuns(): readonly AssetTriggeredRun[] {
    return this.assets.runs;
  }

  get posts(): Recorded[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  private authProblem(headers: http.IncomingHttpHeaders): string | undefined {
    const auth = this.options.auth;
    if (auth === undefined) return undefined;
    const header = headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return 'no bearer token';
    if (this.revoked.has(header.slice('Bearer '.length))) return 'the token was revoked';
    const verified = verifyJwt(header.slice('Bearer '.length), auth.publicKey, auth);
    return verified.ok ? undefined : verified.reason;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const [path = '/', search = ''] = (req.url ?? '/').split('?');
    const api = (TRIGGER.exec(path)?.[1] ??
      TRIGGER.exec(path)?.[3] ??
      GET_RUN.exec(path)?.[1] ??
      ASSET_PATH.exec(path)?.[1] ??
      ASSET_PATH.exec(path)?.[2] ??
      null) as Api | null;
    const partial = {
      method: req.method ?? 'GET',
      path,
      search,
      api,
      headers: req.headers,
      body,
      at: Date.now(),
    };
    const fault = this.faults?.(partial, this.requests.length);
    this.requests.push({ ...partial, fault: fault?.kind ?? null });
    if (fault !== undefined)
      this.stats.faults[fault.kind] = (this.stats.faults[fault.kind] ?? 0) + 1;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') {
      this.held.push(res);
      return;
    }
    await delay(this.options.latencyMs ?? 0);
    if (fault?.kind === 'raw') {
      const type = fault.contentType === undefined ? {} : { 'content-type': fault.contentType };
      res.writeHead(fault.status, type).end(fault.body);
      return;
    }
    if (fault?.kind === 'status') {
      await delay(fault.afterMs ?? 0);
      sendJson(
        res,
        fault.status,
        fault.body ?? { detail: `injected ${fault.status}` },
        fault.headers,
      );
      return;
    }
    const answer = this.answer(req.method ?? 'GET', path, search, api, body, req.headers, fault);
    if (fault?.kind === 'lost') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await delay(fault.ms);
    if (!res.destroyed) sendJson(res, answer.status, answer.body);
  }

  private answer(
    method: string,
    path: string,
    search: string,
    api: Api | null,
    body: string,
    headers: http.IncomingHttpHeaders,
    fault: Fault | undefined,
  ): Answer {
    if (api === null) return { status: 404, body: { detail: 'Not Found' } };
    const problem = this.authProblem(headers);
    if (problem !== undefined) return refuse(api, 401, `Unauthorized: ${problem}`);
    if (ASSET_PATH.test(path)) {
      return answerAssets(this.assets, method, path, new URLSearchParams(search), body);
    }
    const getRun = GET_RUN.exec(path);
    if (method === 'GET' && getRun) {
      const run = this.runs.get(
        `${decodeURIComponent(getRun[2] ?? '')}/${decodeURIComponent(getRun[3] ?? '')}`,
      );
      return run ? { status: 200, body: runJson(run) } : refuse(api, 404, 'DAGRun not found');
    }
    const trigger = TRIGGER.exec(path);
    if (method === 'GET' && api === 'experimental' && trigger) {
      const dagId = decodeURIComponent(trigger[1] === undefined ? '' : (trigger[2] ?? ''));
      if (!this.dags.has(dagId)) return dagMissing(api, dagId);
      return { status: 200, body: this.runsOf(dagId).map(experimentalRunJson) };
    }
    if (method !== 'POST' || !trigger) return refuse(api, 405, 'Method Not Allowed');
    const dagId = decodeURIComponent(trigger[2] ?? trigger[4] ?? '');
    if (!this.dags.has(dagId)) return dagMissing(api, dagId);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return refuse(api, 400, 'Request body is not JSON');
    }
    const input = parseTrigger(api, parsed);
    if ('status' in input) return input;
    const logicalDate = input.logicalDate ?? new Date().toISOString();
    if (fault?.kind === 'conflict') return logicalDateTaken(api, dagId, logicalDate, input.runId);
    const key = `${dagId}/${input.runId}`;
    if (this.runs.has(key)) {
      this.stats.duplicatesRefused += 1;
      return runExists(api, dagId, input.runId);
    }
    const run: StoredRun = { api, dagId, runId: input.runId, conf: input.conf, logicalDate };
    this.runs.set(key, run);
    this.options.onCreated?.(run);
    return created(run);
  }
}
