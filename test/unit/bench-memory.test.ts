import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { describe, it } from 'node:test';
import type { Snapshot } from '../bench/heap-summary';
import { groups } from '../bench/heap-summary';
import { mark, newProbe, readProbe } from '../bench/memory';
import { BenchOptionsError, parseBenchOptions } from '../bench/options';

// `npm run bench -- --memory` (issue 20, part 4): the probe must answer each mark with one
// breakdown and leave the peak at exit, and the snapshot summary must find what a heap holds.

class HeldForTheSnapshot {
  constructor(readonly n: number) {}
}

describe('bench memory probe', () => {
  it('one breakdown per mark, named in order, then the peak at exit', async () => {
    const probe = newProbe(undefined);
    // A process that holds ~40 MiB after its first mark (and makes garbage), so the peak is above
    // the first mark, and exits on SIGTERM as the Functions Framework does (the peak is written at
    // 'exit').
    const script =
      "process.on('SIGUSR2', () => { if (globalThis.held === undefined) " +
      'globalThis.held = Buffer.alloc(40 * 1024 * 1024, 1); ' +
      'for (let i = 0; i < 2e6; i++) globalThis.garbage = { i }; }); ' +
      "process.on('SIGTERM', () => process.exit(0)); " +
      "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, [...probe.nodeArgs, '-e', script], {
      env: { ...process.env, ...probe.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(child.stdout, 'data');
    await mark(probe, child.pid);
    await mark(probe, child.pid);
    await new Promise((resolve) => setTimeout(resolve, 50)); // a few 5 ms samples
    child.kill('SIGTERM');
    await once(child, 'exit');
    const [first, second, peak, ...rest] = readProbe(probe, ['first', 'second']);
    assert.equal(rest.length, 0);
    assert.ok(first && second && peak);
    assert.deepEqual([first.label, second.label, peak.label], ['first', 'second', 'peak']);
    assert.ok(first.heapUsed > 0);
    assert.ok((first.spaces['old_space']?.size ?? 0) > 0);
    assert.ok(second.rss >= first.rss + 30, `${first.rss} → ${second.rss}`);
    assert.ok(peak.rss >= second.rss - 1);
    // 2 million short-lived objects (~50 MiB) cannot pass without a scavenge.
    assert.ok(second.gc.minor.count > first.gc.minor.count, JSON.stringify(second.gc));
  });

  it('heap-summary: self size by constructor, from a real snapshot', () => {
    const held = Array.from({ length: 5000 }, (_, n) => new HeldForTheSnapshot(n));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heap-summary-'));
    try {
      const file = v8.writeHeapSnapshot(path.join(dir, 'test.heapsnapshot'));
      const found = groups(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
      const ours = found.get('object: HeldForTheSnapshot');
      assert.ok(ours !== undefined, 'the class is a group');
      assert.ok(ours.count >= held.length, `${ours.count} objects`);
      assert.ok(ours.bytes >= held.length * 16, `${ours.bytes} bytes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench memory options', () => {
  it('--snapshots implies --memory; --heap-limit and --compare-node-arg are parsed', () => {
    const o = parseBenchOptions([
      '--snapshots=snaps',
      '--heap-limit=256',
      '--compare=a=x/index.js',
      '--compare=b=y/index.js',
      '--compare-node-arg=b=--max-semi-space-size=8',
    ]);
    assert.equal(o.memory, true);
    assert.equal(o.snapshots, 'snaps');
    assert.equal(o.heapLimitMiB, 256);
    assert.deepEqual(
      o.compare.map((c) => [c.label, c.source, c.nodeArgs]),
      [
        ['a', 'x/index.js', []],
        ['b', 'y/index.js', ['--max-semi-space-size=8']],
      ],
    );
    assert.equal(parseBenchOptions([]).memory, false);
    assert.equal(parseBenchOptions([]).heapLimitMiB, undefined);
  });

  it('a node argument for no --compare build, or a heap limit below 16, is refused', () => {
    assert.throws(
      () => parseBenchOptions(['--compare=a=x.js', '--compare-node-arg=b=--jitless']),
      (err: unknown) => err instanceof BenchOptionsError && err.message.includes('"b"'),
    );
    assert.throws(() => parseBenchOptions(['--heap-limit=8']), BenchOptionsError);
  });
});
