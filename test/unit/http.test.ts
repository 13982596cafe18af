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

  it('nothing listening: the socket error code', async () => {
    await assert.rejects(
      send({ method: 'GET', url: 'http://127.0.0.1:1/x', headers: {} }, 5000),
      (err: unknown) => err instanceof TransportError && err.reason.startsWith('ECONNREFUSED'),
    );
  });
});
