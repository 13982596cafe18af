import { createHash } from 'node:crypto';
import http from 'node:http';
import { CRC32C } from '@google-cloud/storage';
import { close, listen } from './http-server';

/** One stored object version. */
export interface StoredObject {
  readonly bucket: string;
  readonly name: string;
  readonly generation: string;
  readonly bytes: Buffer;
  readonly contentType: string;
  /** Custom metadata (the resource's `metadata`), as uploaded. */
  readonly metadata?: Readonly<Record<string, string>>;
  deleted: boolean;
}

/** One upload as the server saw it: what it asked for and what it was answered. */
export interface GcsUpload {
  readonly bucket: string;
  readonly name: string;
  /** The `ifGenerationMatch` precondition sent, or null when the upload asked for none. */
  readonly ifGenerationMatch: string | null;
  readonly status: number;
}

export interface GcsRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
}

/**
 * The Cloud Storage JSON API, only as far as this project's code calls it, reached by the real
 * @google-cloud/storage through STORAGE_EMULATOR_HOST: object metadata and media by generation
 * (with Range), list with prefix and pages, multipart upload with ifGenerationMatch (0 or the live
 * generation) and custom metadata, delete.
 * Every generation is kept, so a read pinned to an old generation sees the old bytes.
 */
export class FakeGcs {
  readonly objects: StoredObject[] = [];
  readonly requests: GcsRequest[] = [];
  /** Every multipart upload the server decided on, in order (injected faults are not). */
  readonly uploads: GcsUpload[] = [];
  /** Bytes of object content sent in media responses (to prove limits are enforced early). */
  mediaBytesServed = 0;
  /** Answer matching requests with this status instead (e.g. 503 for writes). */
  fault: ((req: GcsRequest) => number | undefined) | undefined;
  /**
   * Awaited before each request is answered: hold it (a barrier between two clients), or change
   * the store first as someone else would (delete or rewrite the object it is about).
   */
  onRequest: ((req: GcsRequest) => Promise<void> | void) | undefined;
  url = '';
  private nextGeneration = 1_700_000_000_000_000;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  /** On `port` of 127.0.0.1, or an ephemeral one (the tests; `npm run gcs-stand-in` names one). */
  async start(port = 0): Promise<this> {
    this.url = await listen(this.server, port);
    return this;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  /** Store a new generation of `bucket/name`; returns its generation. */
  put(
    bucket: string,
    name: string,
    content: string | Buffer,
    contentType = 'application/json',
    metadata?: Readonly<Record<string, string>>,
  ): string {
    const generation = String(this.nextGeneration++);
    this.objects.push({
      bucket,
      name,
      generation,
      bytes: Buffer.from(content),
      contentType,
      ...(metadata && { metadata }),
      deleted: false,
    });
    return generation;
  }

  /** Live objects (latest generation, not deleted) in `bucket` under `prefix`. */
  live(bucket: string, prefix = ''): StoredObject[] {
    const latest = new Map<string, StoredObject>();
    for (const o of this.objects)
      if (o.bucket === bucket && o.name.startsWith(prefix)) latest.set(o.name, o);
    return [...latest.values()].filter((o) => !o.deleted);
  }

  /** Every generation ever stored under `bucket/name`, oldest first, deleted ones included. */
  versions(bucket: string, name: string): StoredObject[] {
    return this.objects.filter((o) => o.bucket === bucket && o.name === name);
  }

  private find(bucket: string, name: string, generation: string | null): StoredObject | undefined {
    if (generation !== null)
      return this.objects.find(
        (o) => o.bucket === bucket && o.name === name && o.generation === generation && !o.deleted,
      );
    return this.live(bucket).find((o) => o.name === name);
  }

  private resource(o: StoredObject): Record<string, unknown> {
    return {
      kind: 'storage#object',
      id: `${o.bucket}/${o.name}/${o.generation}`,
      bucket: o.bucket,
      name: o.name,
      generation: o.generation,
      metageneration: '1',
      size: String(o.bytes.length),
      contentType: o.contentType,
      md5Hash: createHash('md5').update(o.bytes).digest('base64'),
      crc32c: crc32c(o.bytes),
      timeCreated: new Date().toISOString(),
      updated: new Date().toISOString(),
      ...(o.metadata && { metadata: o.metadata }),
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gcs');
    const path = url.pathname.replace(/^\/(storage|download\/storage)\/v1(?=\/)/, '');
    const request = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: req.headers,
    };
    this.requests.push(request);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    await this.onRequest?.(request);
    const injected = this.fault?.(request);
    if (injected !== undefined) {
      json(res, injected, { error: { code: injected, message: `injected ${injected}` } });
      return;
    }

    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(path);
    if (req.method === 'POST' && upload) {
      this.upload(
        decodeURIComponent(upload[1] ?? ''),
        url.searchParams,
        req.headers,
        Buffer.concat(chunks),
        res,
      );
      return;
    }
    const list = /^\/b\/([^/]+)\/o$/.exec(path);
    if (req.method === 'GET' && list) {
      this.list(decodeURIComponent(list[1] ?? ''), url.searchParams, res);
      return;
    }
    const one = /^\/b\/([^/]+)\/o\/(.+)$/.exec(path);
    if (!one) {
      json(res, 404, { error: { code: 404, message: `no route ${path}` } });
      return;
    }
    const bucket = decodeURIComponent(one[1] ?? '');
    const name = decodeURIComponent(one[2] ?? '');
    const object = this.find(bucket, name, url.searchParams.get('generation'));
    if (!object) {
      json(res, 404, { error: { code: 404, message: `No such object: ${bucket}/${name}` } });
      return;
    }
    if (req.method === 'DELETE') {
      const match = url.searchParams.get('ifGenerationMatch');
      if (match !== null && match !== object.generation) {
        json(res, 412, { error: { code: 412, message: 'conditionNotMet' } });
        return;
      }
      object.deleted = true;
      res.writeHead(204).end();
      return;
    }
    if (url.searchParams.get('alt') === 'media') {
      this.media(object, req.headers.range, res);
      return;
    }
    json(res, 200, this.resource(object));
  }

  private media(object: StoredObject, range: string | undefined, res: http.ServerResponse): void {
    const md5 = createHash('md5').update(object.bytes).digest('base64');
    const m = /^bytes=(\d+)-(\d*)$/.exec(range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end =
      m && m[2] !== '' ? Math.min(Number(m[2]), object.bytes.length - 1) : object.bytes.length - 1;
    const body = object.bytes.subarray(start, end + 1);
    this.mediaBytesServed += body.length;
    const headers: Record<string, string> = {
      'content-type': object.contentType,
      'x-goog-generation': object.generation,
    };
    if (m) headers['content-range'] = `bytes ${start}-${end}/${object.bytes.length}`;
    else headers['x-goog-hash'] = `md5=${md5}`;
    res.writeHead(m ? 206 : 200, headers).end(body);
  }

  private list(bucket: string, query: URLSearchParams, res: http.ServerResponse): void {
    const all = this.live(bucket, query.get('prefix') ?? '').sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    const start = Number(query.get('pageToken') ?? '0');
    const size = Number(query.get('maxResults') ?? '1000');
    const page = all.slice(start, start + size);
    const next = start + size < all.length ? { nextPageToken: String(start + size) } : {};
    json(res, 200, { kind: 'storage#objects', items: page.map((o) => this.resource(o)), ...next });
  }

  private upload(
    bucket: string,
    query: URLSearchParams,
    headers: http.IncomingHttpHeaders,
    body: Buffer,
    res: http.ServerResponse,
  ): void {
    const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
    if (query.get('uploadType') !== 'multipart' || boundary === undefined) {
      json(res, 400, { error: { code: 400, message: 'only multipart uploads' } });
      return;
    }
    const parts = body
      .toString('utf8')
      .split(`--${boundary}`)
      .slice(1, -1)
      .map((p) => p.split('\r\n\r\n').slice(1).join('\r\n\r\n').replace(/\r\n$/, ''));
    const metadata = JSON.parse(parts[0] ?? '{}') as {
      name?: string;
      contentType?: string;
      metadata?: Record<string, string>;
    };
    const name = query.get('name') ?? metadata.name ?? '';
    // As Cloud Storage: the upload lands only if the live generation is the one asked for,
    // "0" meaning no live object at all (write-once).
    const ifGenerationMatch = query.get('ifGenerationMatch');
    const live = this.find(bucket, name, null)?.generation ?? '0';
    if (ifGenerationMatch !== null && ifGenerationMatch !== live) {
      this.uploads.push({ bucket, name, ifGenerationMatch, status: 412 });
      json(res, 412, {
        error: {
          code: 412,
          message: 'At least one of the pre-conditions you specified did not hold.',
        },
      });
      return;
    }
    this.uploads.push({ bucket, name, ifGenerationMatch, status: 200 });
    const generation = this.put(
      bucket,
      name,
      parts[1] ?? '',
      metadata.contentType,
      metadata.metadata,
    );
    const stored = this.find(bucket, name, generation);
    json(res, 200, stored ? this.resource(stored) : {});
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}

/** Cloud Storage's checksum (CRC32C, base64), computed by the client library's own helper. */
function crc32c(bytes: Buffer): string {
  const c = new CRC32C();
  c.update(bytes);
  return c.toString();
}
