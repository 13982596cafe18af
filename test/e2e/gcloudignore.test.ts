/**
 * What `gcloud functions deploy` uploads, as gcloud itself lists it (offline): the function and its
 * build inputs, and a build of the upload alone. Apart from gcloud-parse.test.ts, whose parse of
 * every command takes most of that file's time, so that neither nears the per-file timeout on a
 * busy machine (issue 17, item 5).
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, run, tempDir } from '../helpers/cli';
import { gcloudEnv, SKIP_WITHOUT_GCLOUD } from '../helpers/gcloud';
import { ROOT } from '../helpers/paths';

const SKIP = SKIP_WITHOUT_GCLOUD;

describe('.gcloudignore: what gcloud functions deploy uploads', { skip: SKIP }, () => {
  const list = async (dir: string) => {
    const ran = await run('gcloud', ['meta', 'list-files-for-upload', '.'], {
      cwd: dir,
      env: gcloudEnv(),
    });
    assert.equal(ran.code, 0, ran.stderr);
    return ran.stdout.split('\n').filter((l) => l !== '');
  };
  const TOP = ['package.json', 'package-lock.json', 'tsconfig.json', 'src/index.ts'];
  /** The entry point and the two parts it imports (test/unit/layout.test.ts keeps it so). */
  const uploaded = (f: string) =>
    TOP.includes(f) || f.startsWith('src/basics/') || f.startsWith('src/function/');

  it('this checkout: the function and its build inputs, not the planner, the tools or the tests', async () => {
    const files = await list(ROOT);
    for (const needed of [...TOP, 'src/basics/http.ts', 'src/function/handlers.ts'])
      assert.ok(files.includes(needed), needed);
    assert.deepEqual(
      files.filter((f) => !uploaded(f)),
      [],
    );
    assert.ok(!files.some((f) => f.startsWith('src/tools/') || f.startsWith('src/planner/')));
  });

  it(
    'the upload alone builds with gcp-build, and its package main is the bundle with both entry points',
    { timeout: 90_000 },
    async (t) => {
      const dir = tempDir('upload-build-');
      t.after(() => {
        rmSync(dir, { recursive: true, force: true }); // node_modules is a link: left as it is
      });
      for (const file of await list(ROOT)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        copyFileSync(path.join(ROOT, file), path.join(dir, file));
      }
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      // gcp-build's two steps as package.json runs them: tsc, then the bundle and its cache.
      const { scripts } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      assert.equal(
        scripts['gcp-build'],
        'tsc -p tsconfig.json && node build/src/function/bundle/bundle.js',
      );
      for (const step of [[tsc, '-p', 'tsconfig.json'], ['build/src/function/bundle/bundle.js']]) {
        const built = await run(process.execPath, step, { cwd: dir, deadlineMs: 80_000 });
        assert.equal(built.code, 0, built.stdout + built.stderr);
      }
      assert.ok(existsSync(path.join(dir, 'build', 'bundle', 'compile-cache')), 'cache written');
      // What the framework loads from `--source=.`: the package main, the bundle.
      const exported = await run(
        process.execPath,
        ['-p', "Object.keys(require('.')).join(',') + ' ' + require.resolve('.')"],
        { cwd: dir, env: cleanEnv({ AIRFLOW_URL: 'http://127.0.0.1:9', AUTH_MODE: 'none' }) },
      );
      assert.equal(
        exported.stdout.trim(),
        `triggerDag,triggerDagBackground ${path.join(realpathSync(dir), 'build', 'bundle', 'index.js')}`,
        exported.stderr,
      );
    },
  );

  it('a copy with every kind of local file beside the sources: none of them is uploaded', async () => {
    const dir = tempDir('upload-');
    const decoys = [
      'test/unit/x.test.ts',
      'deploy/deploy.sh',
      'deploy/env.yaml',
      'deploy/.env.gcs-airflow-trigger.yaml',
      'node_modules/yaml/index.js',
      'build/src/index.js',
      'build/bundle/index.js',
      'build/bundle/compile-cache/v22.23.3-x64-9ac5647c-0/47d4d9cd',
      'src/tools/trigger.ts',
      'src/planner/settings.ts',
      'src/notes.md',
      '.ci/run',
      'README.md',
      'docs/configuration.md',
      '.env',
      'env.yaml',
      'bench-results.json',
    ];
    const inputs = [
      ...TOP,
      'src/basics/http.ts',
      'src/function/handlers.ts',
      'src/function/airflow/client.ts',
      'src/routes.yaml',
    ];
    for (const file of [...decoys, ...inputs]) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), '{}\n');
    }
    writeFileSync(path.join(dir, '.gcloudignore'), readFileSync(path.join(ROOT, '.gcloudignore')));
    assert.deepEqual((await list(dir)).sort(), inputs.sort());
  });
});
