import http from 'node:http';
import { close, listen } from './http-server';

/**
 * How the Airflow web server answers a request without credentials: Composer 1 behind IAP
 * redirects to Google's sign-in with the IAP OAuth client id; Composer 2/3 or a self-hosted server
 * may answer directly; some front ends redirect to a sign-in page without a client id.
 */
export type WebServerMode =
  | { readonly kind: 'iap'; readonly clientId: string }
  | { readonly kind: 'open' }
  | { readonly kind: 'login-without-client-id' };

export class FakeIapWebServer {
  /** The Authorization header of each request (undefined when none was sent). */
  readonly authorizations: (string | undefined)[] = [];
  url = '';
  private readonly server = http.createServer((req, res) => {
    this.handle(req, res);
  });

  constructor(private readonly mode: WebServerMode) {}

  async start(): Promise<this> {
    this.url = await listen(this.server);
    return this;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.authorizations.push(req.headers.authorization);
    if (this.mode.kind === 'open') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Airflow</html>');
      return;
    }
    if (this.mode.kind === 'login-without-client-id') {
      const next = encodeURIComponent(`${this.url}${req.url ?? '/'}`);
      res.writeHead(302, { location: `https://accounts.google.com/ServiceLogin?continue=${next}` });
      res.end();
      return;
    }
    const id = this.mode.clientId;
    const query = new URLSearchParams({
      client_id: id,
      response_type: 'code',
      scope: 'openid email',
      redirect_uri: `https://iap.googleapis.com/v1/oauth/clientIds/${id}:handleRedirect`,
      state: 'opaque-state',
    });
    res.writeHead(302, {
      location: `https://accounts.google.com/o/oauth2/v2/auth?${query.toString()}`,
    });
    res.end();
  }
}
