import http from 'node:http';
import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { close, delay, listen, sendJson } from './http-server';
import type { SigningKey } from './jwt';
import { newSigningKey, signJwt } from './jwt';

export interface FakeMetadataOptions {
  /** Delay before each token answer (the real server takes tens of milliseconds). */
  readonly tokenLatencyMs?: number;
  /** Lifetime of issued tokens; under 300 s the library treats them as expiring at once. */
  readonly tokenLifetimeSeconds?: number;
  readonly email?: string;
  /** Answer token requests with this status instead (e.g. 404: no such service account). */
  readonly failStatus?: number;
  /** Start with `hangTokens` on. */
  readonly hangTokens?: boolean;
}

/**
 * The GCE/Cloud Run metadata server, as google-auth-library reaches it through
 * GCE_METADATA_HOST: every request must carry and every answer carries `Metadata-Flavor: Google`.
 * Mints RS256 JWTs (ID tokens and access tokens) that the fake Airflow verifies.
 */
export class FakeMetadata {
  readonly key: SigningKey = newSigningKey();
  /** Token fetches, by kind. */
  readonly fetches = { identity: 0, access: 0 };
  /** Every token handed out, to search logs and errors for. */
  readonly issued: string[] = [];
  /**
   * Accept token requests and never answer them (a wedged metadata server); may be switched at
   * any time. Requests already held stay held until close.
   */
  hangTokens = false;
  private readonly held: http.ServerResponse[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private baseUrl = '';

  constructor(private readonly options: FakeMetadataOptions = {}) {
    this.hangTokens = options.hangTokens ?? false;
  }

  get publicKey(): KeyObject {
    return this.key.publicKey;
  }

  get email(): string {
    return this.options.email ?? 'airflow-trigger@test-project.iam.gserviceaccount.com';
  }

  /** `127.0.0.1:PORT`, the form GCE_METADATA_HOST takes. */
  get host(): string {
    return this.baseUrl.replace('http://', '');
  }

  async start(): Promise<this> {
    this.baseUrl = await listen(this.server);
    return this;
  }

  close(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    return close(this.server);
  }

  private mint(claims: Record<string, unknown>): string {
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(this.key, {
      iss: 'https://accounts.google.com',
      sub: '112233445566778899000',
      email: this.email,
      email_verified: true,
      iat: now,
      // Tokens minted in the same second must still differ, as Google's do (a refetch after a
      // revocation must not hand back the revoked token).
      jti: randomUUID(),
      exp: now + (this.options.tokenLifetimeSeconds ?? 3600),
      ...claims,
    });
    this.issued.push(token);
    return token;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('Metadata-Flavor', 'Google');
    if (req.headers['metadata-flavor'] !== 'Google') {
      sendJson(res, 403, { error: 'Missing Metadata-Flavor: Google header' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://metadata');
    const path = url.pathname.replace(/^\/computeMetadata\/v1\/?/, '');
    const isToken = path.endsWith('/identity') || path.endsWith('/token');
    if (isToken && this.hangTokens) {
      this.held.push(res);
      return;
    }
    if (isToken) await delay(this.options.tokenLatencyMs ?? 0);
    if (isToken && this.options.failStatus !== undefined) {
      res.writeHead(this.options.failStatus, { 'content-type': 'text/plain' }).end('not available');
      return;
    }
    if (path === 'instance/service-accounts/default/identity') {
      this.fetches.identity += 1;
      const audience = url.searchParams.get('audience') ?? '';
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(this.mint({ aud: audience, azp: this.email }));
      return;
    }
    if (path === 'instance/service-accounts/default/token') {
      this.fetches.access += 1;
      const scope = 'https://www.googleapis.com/auth/cloud-platform';
      const token = this.mint({ aud: 'access', scope });
      sendJson(res, 200, {
        access_token: token,
        expires_in: this.options.tokenLifetimeSeconds ?? 3600,
        token_type: 'Bearer',
      });
      return;
    }
    if (path === 'instance/service-accounts/default/email') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(this.email);
      return;
    }
    if (path === 'project/project-id') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('test-project');
      return;
    }
    if (path === '') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('computeMetadata/');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`no ${path}`);
  }
}
