/**
 * `npm run trigger|replay|get-client-id|airflow-stand-in` answer at once when the build is current
 * (issue 11, item 9): they go through src/tools/run-built.sh, which builds only when build/ is
 * missing or older than the sources. Driven in a copy of the layout with a stand-in `npm` that
 * records whether it was asked to build, so no real tsc runs and no real source is touched.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, run, tempDir } from '../helpers/cli';
import { ROOT } from '../helpers/paths';

const TOOL = 'build/src/tools/tool.js';
const PRINT_ARGS = 'console.log(JSON.stringify(process.argv.slice(2)));\n';

/** A project root with one source, one built tool, the launcher, and `npm` that logs its args. */
function project(npmExit = 0) {
  const root = tempDir('run-built-');
  const file = (name: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  };
  file('src/tools/.keep', '');
  copyFileSync(
    path.join(ROOT, 'src/tools/run-built.sh'),
    path.join(root, 'src/tools/run-built.sh'),
  );
  file('src/function/a.ts', 'export const a = 1;\n');
  file('test/t.ts', 'export const t = 1;\n');
  file('tsconfig.json', '{}\n');
  file(TOOL, PRINT_ARGS);
  const log = path.join(root, 'npm-calls');
  // The stand-in npm "builds" by writing the tool anew, as tsc does, or fails as a broken build.
  file(
    'bin/npm',
    `#!/bin/sh\necho "$*" >> "${log}"\n` +
      (npmExit === 0 ? `printf '%s' '${PRINT_ARGS}' > "${path.join(root, TOOL)}"\n` : '') +
      `exit ${npmExit}\n`,
  );
  chmodSync(path.join(root, 'bin/npm'), 0o755);
  const past = new Date(Date.now() - 3_600_000);
  for (const f of ['src/function/a.ts', 'test/t.ts', 'tsconfig.json']) {
    utimesSync(path.join(root, f), past, past);
  }
  const env = cleanEnv();
  env['PATH'] = `${path.join(root, 'bin')}${path.delimiter}${env['PATH'] ?? ''}`;
  const launch = (...args: string[]) =>
    run('bash', [path.join(root, 'src/tools/run-built.sh'), TOOL, ...args], { env, cwd: root });
  const builds = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  return { root, launch, builds };
}

describe('run-built.sh: build only when the build is stale', () => {
  it('current build: the tool runs with its arguments, npm is not called', async () => {
    const p = project();
    const ran = await p.launch('--help', 'a b');
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, '["--help","a b"]\n');
    assert.equal(ran.stderr, '');
    assert.deepEqual(p.builds(), []);
  });

  for (const stale of ['src/function/a.ts', 'test/t.ts', 'tsconfig.json']) {
    it(`${stale} newer than the build: one build, said on stderr, then the tool`, async () => {
      const p = project();
      const future = new Date(Date.now() + 60_000);
      utimesSync(path.join(p.root, stale), future, future);
      const ran = await p.launch('x');
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout, '["x"]\n');
      assert.deepEqual(p.builds(), ['run --silent build']);
      assert.match(ran.stderr, /^note: building first/);
    });
  }

  it('no build at all: built first', async () => {
    const p = project();
    rmSync(path.join(p.root, TOOL));
    const ran = await p.launch();
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(p.builds(), ['run --silent build']);
  });

  it('a build that fails: its exit status, the tool does not run', async () => {
    const p = project(2);
    rmSync(path.join(p.root, TOOL));
    const ran = await p.launch();
    assert.equal(ran.code, 2);
    assert.equal(ran.stdout, '');
  });
});

describe('package.json: the tools go through run-built.sh, never tsc on every call', () => {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const tools: Record<string, string> = {
    trigger: 'build/src/tools/trigger.js',
    replay: 'build/src/tools/replay.js',
    'get-client-id': 'build/src/tools/get-client-id.js',
    'airflow-stand-in': 'build/test/airflow-stand-in.js',
    'gcs-stand-in': 'build/test/gcs-stand-in.js',
  };
  for (const [name, target] of Object.entries(tools)) {
    it(name, () => {
      assert.equal(scripts[name], `bash src/tools/run-built.sh ${target}`);
      assert.ok(existsSync(path.join(ROOT, target)), `${target} is built`);
    });
  }
});
