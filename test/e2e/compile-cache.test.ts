/**
 * The compile cache beside the bundle (issue 20): written at build time by the code gcp-build runs
 * (src/function/bundle/write-cache.ts), only read at run time (src/basics/compile-cache.ts). A cache
 * is an optimisation: missing, stale, unwritable or made for another Node must each still start,
 * with the same entry points and not a word more on stderr. Node's own debug lines
 * (NODE_DEBUG_NATIVE=COMPILE_CACHE) say whether the bundle's compile was served from the cache.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runtimeNodeOptions, writeCompileCache } from '../../src/function/bundle/write-cache';
import { cleanEnv, run, tempDir } from '../helpers/cli';
import { BUILT_INDEX, ROOT } from '../helpers/paths';

const BUNDLE_DIR = path.dirname(BUILT_INDEX);
const SETTINGS = { AIRFLOW_URL: 'http://127.0.0.1:9', AUTH_MODE: 'none' };
const asRoot = process.getuid?.() === 0;

interface Started {
  readonly status: number | null;
  readonly exports: string;
  /** Whether Node served the bundle's compile from the cache. */
  readonly hit: boolean;
  /** stderr without Node's compile-cache debug lines: what an operator would see. */
  readonly said: string;
}

/**
 * `main` mounted read-only in a mount namespace of its own (util-linux unshare, as root): the
 * deployed source as its user finds it. Root ignores file modes, so a chmod would prove nothing.
 * The shell checks that a write there really fails before it runs node.
 */
const READ_ONLY_THEN_RUN =
  'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" || exit 90; ' +
  'if touch "$1/probe" 2>/dev/null; then exit 91; fi; shift; exec "$@"';

/** Loads `main` as the framework would, in a clean process; `nodeOptions` as NODE_OPTIONS. */
function start(
  main: string,
  options: { nodeOptions?: string; readOnly?: string; env?: Record<string, string> } = {},
): Started {
  const args = ['-e', `console.log(Object.keys(require(${JSON.stringify(main)})).join(','))`];
  const [file, argv] =
    options.readOnly === undefined
      ? [process.execPath, args]
      : [
          'unshare',
          [
            '-m',
            '--propagation',
            'private',
            'sh',
            '-c',
            READ_ONLY_THEN_RUN,
            'sh',
            options.readOnly,
            process.execPath,
            ...args,
          ],
        ];
  const ran = spawnSync(file, argv, {
    env: cleanEnv({
      ...SETTINGS,
      NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
      NODE_OPTIONS: options.nodeOptions ?? '',
      ...options.env,
    }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.ifError(ran.error);
  const entry = path.join(path.dirname(main), 'function', 'entry.js');
  const lines = ran.stderr.split('\n');
  return {
    status: ran.status,
    exports: ran.stdout.trim(),
    hit: lines.includes(
      `[compile cache] cache for ${entry} was accepted, keeping the in-memory entry`,
    ),
    said: lines.filter((l) => l !== '' && !l.startsWith('[compile cache]')).join('\n'),
  };
}

/** A copy of the built project (build/bundle and a link to node_modules) at another path. */
function copyProject(): { root: string; main: string; cache: string } {
  const root = tempDir('compile-cache-');
  mkdirSync(path.join(root, 'build'));
  cpSync(BUNDLE_DIR, path.join(root, 'build', 'bundle'), { recursive: true });
  symlinkSync(realpathSync(path.join(ROOT, 'node_modules')), path.join(root, 'node_modules'));
  const bundle = path.join(root, 'build', 'bundle');
  // The cache is keyed by each file's absolute path: the copy gets its own, as its build would.
  assert.ok(writeCompileCache(bundle, { PATH: process.env['PATH'] }), 'the cache was written');
  return { root, main: path.join(bundle, 'index.js'), cache: path.join(bundle, 'compile-cache') };
}

const ENTRY_POINTS = 'triggerDag,triggerDagBackground';

describe('the compile cache: written at build, read at start, never a reason to fail', () => {
  it('the build wrote one, and a start as deployed compiles the bundle from it', () => {
    const started = start(BUILT_INDEX);
    assert.equal(started.status, 0, started.said);
    assert.equal(started.exports, ENTRY_POINTS);
    assert.ok(started.hit, 'the bundle was compiled from the cache');
    assert.equal(started.said, '');
  });

  it("is written under the V8 flags the buildpack launches with (the memory hint's heap size)", (t) => {
    assert.equal(runtimeNodeOptions({}), '');
    assert.equal(
      runtimeNodeOptions({ GOOGLE_CONTAINER_MEMORY_HINT_MB: '512' }),
      '--max-old-space-size=448',
    );
    for (const odd of ['64', '0', '-5', 'lots', '512.5', ''])
      assert.equal(runtimeNodeOptions({ GOOGLE_CONTAINER_MEMORY_HINT_MB: odd }), '', odd);

    const { root, main, cache } = copyProject();
    t.after(() => {
      rmSync(root, { recursive: true, force: true });
    });
    const env = { PATH: process.env['PATH'], GOOGLE_CONTAINER_MEMORY_HINT_MB: '512' };
    assert.ok(writeCompileCache(path.dirname(main), env));
    assert.ok(start(main, { nodeOptions: '--max-old-space-size=448' }).hit, 'read with the flag');
    // Without the flag, Node looks in another folder: a miss, and still a start.
    const other = start(main);
    assert.deepEqual(
      [other.status, other.exports, other.hit, other.said],
      [0, ENTRY_POINTS, false, ''],
    );
    assert.ok(existsSync(cache));
  });

  const cases: readonly [string, (copy: { main: string; cache: string }) => void][] = [
    [
      'missing (the build could not write it)',
      ({ cache }) => {
        rmSync(cache, { recursive: true });
      },
    ],
    [
      'stale (the bundle changed after it was written)',
      ({ main }) => {
        appendFileSync(path.join(path.dirname(main), 'function', 'entry.js'), '\n// changed\n');
      },
    ],
    [
      'corrupt (a cache file cut short)',
      ({ cache }) => {
        for (const file of readdirSync(cache, { recursive: true, withFileTypes: true }))
          if (file.isFile()) truncateSync(path.join(file.parentPath, file.name), 100);
      },
    ],
    [
      'made by another Node version',
      ({ cache }) => {
        for (const dir of readdirSync(cache))
          renameSync(path.join(cache, dir), path.join(cache, dir.replace(/^v[\d.]+/, 'v20.0.0')));
      },
    ],
  ];
  for (const [what, spoil] of cases)
    it(`${what}: the instance starts with its entry points, silently, and creates nothing`, (t) => {
      const copy = copyProject();
      t.after(() => {
        rmSync(copy.root, { recursive: true, force: true });
      });
      spoil(copy);
      const before = existsSync(copy.cache)
        ? readdirSync(copy.cache, { recursive: true }).length
        : -1;
      const started = start(copy.main);
      assert.deepEqual([started.status, started.exports, started.said], [0, ENTRY_POINTS, '']);
      assert.equal(started.hit, false);
      if (before === -1) assert.ok(!existsSync(copy.cache), 'no cache folder is made at run time');
    });

  it('stale, on a read-only file system as deployed: still a silent start, nothing written', (t) => {
    const copy = copyProject();
    t.after(() => {
      if (!asRoot) chmodSync(copy.cache, 0o755);
      rmSync(copy.root, { recursive: true, force: true });
    });
    appendFileSync(path.join(path.dirname(copy.main), 'function', 'entry.js'), '\n// changed\n');
    const listed = readdirSync(copy.cache, { recursive: true }).sort();
    // As root, a read-only mount; as anyone else, modes are enough.
    if (!asRoot) chmodSync(copy.cache, 0o555);
    const started = start(copy.main, asRoot ? { readOnly: copy.root } : {});
    assert.deepEqual([started.status, started.exports, started.said], [0, ENTRY_POINTS, '']);
    assert.equal(started.hit, false);
    assert.deepEqual(
      readdirSync(copy.cache, { recursive: true }).sort(),
      listed,
      'nothing written',
    );
  });

  it('read-only and current, as deployed: the bundle is compiled from the cache', (t) => {
    const copy = copyProject();
    t.after(() => {
      rmSync(copy.root, { recursive: true, force: true });
    });
    const started = start(copy.main, asRoot ? { readOnly: copy.root } : {});
    assert.deepEqual([started.status, started.exports, started.said], [0, ENTRY_POINTS, '']);
    assert.ok(started.hit, 'read from a read-only folder');
  });

  for (const [what, env] of [
    ["the platform set NODE_COMPILE_CACHE (the buildpack's own cache)", 'NODE_COMPILE_CACHE'],
    ['NODE_DISABLE_COMPILE_CACHE=1', 'NODE_DISABLE_COMPILE_CACHE'],
  ] as const)
    it(`${what}: the instance starts with its entry points, silently`, (t) => {
      const other = tempDir('other-cache-');
      t.after(() => {
        rmSync(other, { recursive: true, force: true });
      });
      const started = start(BUILT_INDEX, {
        env: { [env]: env === 'NODE_COMPILE_CACHE' ? other : '1' },
      });
      assert.deepEqual(
        [started.status, started.exports, started.said, started.hit],
        [0, ENTRY_POINTS, '', false],
      );
    });

  it('a bundle whose load throws, exits or hangs: no cache, a warning, the build goes on', (t) => {
    for (const [what, main] of [
      ['throws', "throw new Error('broken');"],
      ['exits', 'process.exit(78);'],
      ['hangs', 'for (;;);'],
    ] as const) {
      const dir = tempDir('bad-bundle-');
      t.after(() => {
        rmSync(dir, { recursive: true, force: true });
      });
      writeFileSync(path.join(dir, 'index.js'), main);
      const started = Date.now();
      const warned: string[] = [];
      const options = { timeoutMs: 2000, warn: (line: string) => warned.push(line) };
      assert.equal(writeCompileCache(dir, { PATH: process.env['PATH'] }, options), false, what);
      assert.match(warned.join('\n'), /^warning: no compile cache written/, what);
      assert.ok(!existsSync(path.join(dir, 'compile-cache')), `${what}: no cache folder`);
      assert.ok(Date.now() - started < 20_000, `${what}: the child was stopped`);
    }
  });

  it('two builds writing the same cache at once: neither fails, and the start after them works', async (t) => {
    const copy = copyProject();
    t.after(() => {
      rmSync(copy.root, { recursive: true, force: true });
    });
    const writer = path.join(ROOT, 'build', 'src', 'function', 'bundle', 'write-cache.js');
    const script = `process.exit(require(${JSON.stringify(writer)}).writeCompileCache(${JSON.stringify(path.dirname(copy.main))}, process.env, { warn() {} }) ? 0 : 3)`;
    const both = await Promise.all([1, 2].map(() => run(process.execPath, ['-e', script])));
    // 3 is "no cache, said so": allowed, a crash of the build (1) is not.
    for (const ran of both) assert.ok(ran.code === 0 || ran.code === 3, ran.stderr);
    const started = start(copy.main);
    assert.deepEqual([started.status, started.exports, started.said], [0, ENTRY_POINTS, '']);
  });
});
