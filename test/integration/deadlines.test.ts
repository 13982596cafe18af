/**
 * The test helpers' own deadlines: what a test waits on fails it in time, and stops what it waited
 * on, so a broken behaviour elsewhere cannot hold a file to the runner's timeout.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { close, listen } from '../fakes/http-server';
import { run, tempDir } from '../helpers/cli';
import { DeadlineError, withDeadline } from '../helpers/deadline';
import { deliver } from '../helpers/events';

const isDeadline = (err: unknown): err is DeadlineError => err instanceof DeadlineError;

/** Whether `pid` is a live process (a zombie awaiting its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i += 1) await new Promise((r) => setTimeout(r, 10));
  return !alive(pid);
}

describe('test deadlines', () => {
  it('withDeadline: the value when in time; else DeadlineError, after stopping the work', async () => {
    assert.equal(await withDeadline(Promise.resolve(7), 1000, 'quick'), 7);
    let stopped = false;
    const started = Date.now();
    await assert.rejects(
      withDeadline(new Promise(() => undefined), 50, 'never', () => {
        stopped = true;
      }),
      (err: unknown) => isDeadline(err) && err.message === 'never: not done within 50 ms',
    );
    assert.ok(stopped, 'onExpiry ran');
    assert.ok(Date.now() - started < 1000);
  });

  it('run: a child that never exits is killed with its own children, and the test told why', async () => {
    const pidFile = path.join(tempDir('deadline-'), 'pid');
    const started = Date.now();
    await assert.rejects(
      run('bash', ['-c', `sleep 30 & echo $! > ${pidFile}; echo waiting; wait`], {
        deadlineMs: 500,
      }),
      (err: unknown) =>
        isDeadline(err) && /\(killed; stdout so far: "waiting\\n"/.test(err.message),
    );
    assert.ok(Date.now() - started < 2000, `failed in ${Date.now() - started} ms`);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(await gone(grandchild), `sleep (pid ${grandchild}) still running`);
  });

  it('deliver: a function that never answers fails the test, and the request is dropped', async (t) => {
    const server = http.createServer(() => undefined); // takes the request, never answers
    const url = await listen(server);
    t.after(() => close(server));
    const seen = { dropped: false };
    server.on('request', (req: http.IncomingMessage) => {
      req.socket.on('close', () => (seen.dropped = true));
    });
    await assert.rejects(deliver(url, { headers: {}, body: '{}' }, 300), isDeadline);
    for (let i = 0; i < 100 && !seen.dropped; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.ok(seen.dropped, 'the connection was closed');
  });
});
