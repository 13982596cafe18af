import http from 'node:http';
import type { KeyObject } from 'node:crypto';
import { close, listen, sendJson } from './http-server';
import { verifyJwt } from './jwt';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const STATUS: Readonly<Record<number, string>> = {
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  500: 'INTERNAL',
};

export interface FakeComposerOptions {
  /** Tokens must be signed by this key (the fake metadata server's) with the cloud-platform scope. */
  readonly publicKey: KeyObject;
  /** Environment resources by name, `projects/P/locations/L/environments/E`. */
  readonly environments?: Readonly<Record<string, unknown>>;
  /** Answer every authenticated request with this status and a Google error body. */
  readonly failStatus?: number;
}

export interface ComposerRequest {
  readonly method: string;
  readonly path: string;
  /** Whether the bearer token verified (signature, expiry, scope). */
  readonly authorized: boolean;
}

/** The Cloud Composer API's `GET /v1/{name}` for environments, on 127.0.0.1. */
export class FakeComposer {
  readonly requests: ComposerRequest[] = [];
  url = '';
  private readonly server = http.createServer((req, res) => {
    this.handle(req, res);
  });

  constructor(private readonly options: FakeComposerOptions) {}

  async start(): Promise<this> {
    this.url = await listen(this.server);
    return this;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private error(res: http.ServerResponse, code: number, message: string): void {
    sendJson(res, code, { error: { code, message, status: STATUS[code] ?? 'UNKNOWN' } });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const header = req.headers.authorization ?? '';
    const authorized =
      header.startsWith('Bearer ') &&
      verifyJwt(header.slice('Bearer '.length), this.options.publicKey, { scope: CLOUD_PLATFORM })
        .ok;
    this.requests.push({ method: req.method ?? 'GET', path, authorized });
    if (!authorized) {
      this.error(res, 401, 'Request had invalid authentication credentials.');
      return;
    }
    const name = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/environments\/[^/]+)$/.exec(path)?.[1];
    if (req.method !== 'GET' || name === undefined) {
      this.error(res, 404, `Method not found: ${req.method ?? ''} ${path}`);
      return;
    }
    if (this.options.failStatus !== undefined) {
      this.error(
        res,
        this.options.failStatus,
        `Permission 'composer.environments.get' denied on resource '${name}' (or it may not exist).`,
      );
      return;
    }
    const environment = this.options.environments?.[name];
    if (environment === undefined) {
      this.error(res, 404, `Environment ${name} not found.`);
      return;
    }
    sendJson(res, 200, environment);
  }
}

/** An Environment resource as the API returns it (the fields get-client-id reads, and a few more). */
export function environment(name: string, airflowUri: string, imageVersion: string): unknown {
  return {
    name,
    state: 'RUNNING',
    config: {
      airflowUri,
      dagGcsPrefix: 'gs://europe-west1-env-bucket/dags',
      softwareConfig: { imageVersion, pythonVersion: '3' },
    },
  };
}
