import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { TransportError } from '../../src/basics/errors/transport-error';
import { send } from '../../src/basics/http';
import { close, listen } from '../fakes/http-server';

describe('send (node:http keep-alive transport)', () => {
  let url = '';
  const server = http.createServer((req, res) => {
    if (req.url === '/silent') return; // never answers
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":'); // and never ends
      return;
    }
    if (req.url === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'x-length': req.headers['content-length'] ?? '' });
        res.end(Buffer.concat(chunks));
      });
      return;
    }
    if (req.url === '/chunks') {
      res.writeHead(200);
      res.write('aaa');
      setTimeout(() => res.end('bbbccc'), 20);
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-echo': req.method ?? '' });
      res.end('{"ok":true}');
    });
  });
  before(async () => {
    url = await listen(server);
  });
  after(() => close(server));

  const post = (path: string) =>
    ({ method: 'POST', url: `${url}${path}`, headers: {}, body: '{}' }) as const;

  it('resolves with any status, the headers and the body', async () => {
    const res = await send(post('/ok'), 5000);
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-echo'], 'POST');
    assert.equal(res.body, '{"ok":true}');
  });

  it('no answer within the timeout: a TIMEOUT TransportError, on time', async () => {
    const started = Date.now();
    await assert.rejects(send(post('/silent'), 100), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.reason, 'TIMEOUT: no answer within 100 ms');
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  });

  it('a body that stops halfway counts against the same deadline', async () => {
    await assert.rejects(
      send(post('/stall'), 100),
      (err: unknown) => err instanceof TransportError && err.reason.startsWith('TIMEOUT'),
    );
  });

  it('a body goes out as its UTF-8 bytes, with their length (not its characters)', async () => {
    const body = '{"name":"café/🙂"}';
    const res = await send({ ...post('/echo'), body }, 5000);
    assert.equal(res.headers['x-length'], String(Buffer.from(body, 'utf8').length));
    assert.equal(res.body, body);
  });

  it('an answer is kept up to maxBodyBytes, in one chunk or several', async () => {
    const whole = await send({ ...post('/echo'), body: 'x'.repeat(100) }, 5000, 10);
    assert.equal(whole.body, 'x'.repeat(10));
    const pieces = await send(post('/chunks'), 5000);
    assert.equal(pieces.body, 'aaabbbccc');
    const cut = await send(post('/chunks'), 5000, 4);
    assert.equal(cut.body, 'aaab');
  });

  it('nothing listening: the socket error code', async () => {
    await assert.rejects(
      send({ method: 'GET', url: 'http://127.0.0.1:1/x', headers: {} }, 5000),
      (err: unknown) => err instanceof TransportError && err.reason.startsWith('ECONNREFUSED'),
    );
  });
});
