/**
 * The bundle that deploys (issue 20): package.json `main` is build/bundle/index.js, written by
 * `npm run build` and gcp-build (src/function/bundle/bundle.ts). The Functions Framework stays a
 * package of its own, since its binary serves only what was registered in its own copy; the
 * packages loaded on first use (yaml, @google-cloud/storage) stay out too and are found from the
 * bundle's folder. Every other end-to-end test serves this same file (test/helpers/paths.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, latin1Only } from '../../src/function/bundle/bundle';
import { cleanEnv, run, tempDir } from '../helpers/cli';
import { BUILT_INDEX, ROOT } from '../helpers/paths';

const BUNDLE = path.join(ROOT, 'build', 'bundle', 'function', 'entry.js');
/** Starts without any network: nothing is fetched before the first event. */
const SETTINGS = { AIRFLOW_URL: 'http://127.0.0.1:9', AUTH_MODE: 'none' };
/** The copy of the framework that the framework's binary (test/helpers/paths.ts FF_MAIN) uses. */
const FRAMEWORK_TESTING = require.resolve('@google-cloud/functions-framework/testing', {
  paths: [ROOT],
});

/** `node -e script` in a clean environment with `env`; its stdout, or a failure with stderr. */
async function node(script: string, env: Record<string, string> = {}): Promise<string> {
  const ran = await run(process.execPath, ['-e', script], {
    env: cleanEnv({ ...SETTINGS, ...env }),
  });
  assert.equal(ran.code, 0, ran.stderr);
  return ran.stdout.trim();
}

describe('the bundle: what deploys', () => {
  it('package.json main is the bundle, and it exports triggerDag and triggerDagBackground', async () => {
    const { main } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      main: string;
    };
    assert.equal(main, 'build/bundle/index.js');
    assert.equal(BUILT_INDEX, path.join(ROOT, main));
    const exported = await node(
      `const m = require(${JSON.stringify(BUILT_INDEX)}); console.log(Object.keys(m).join(','), typeof m.triggerDag, typeof m.triggerDagBackground)`,
    );
    assert.equal(exported, 'triggerDag,triggerDagBackground function function');
  });

  it('holds the function and its packages, but not the Functions Framework, yaml or storage', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    // esbuild heads each file it takes in with a `// path` comment.
    for (const inside of [
      'src/function/pipeline.ts',
      'node_modules/google-auth-library/',
      'node_modules/pino/',
    ])
      assert.ok(text.includes(`// ${inside}`), `${inside} is bundled`);
    for (const outside of ['functions-framework', 'yaml', '@google-cloud/storage'])
      assert.ok(!text.includes(`// node_modules/${outside}/`), `${outside} is not bundled`);
    assert.match(text, /require\("@google-cloud\/functions-framework"\)/);
  });

  it('is Latin-1 throughout, so V8 holds its 1.1 MB of source one-byte (one `’` made it two-byte)', () => {
    for (const file of [BUILT_INDEX, BUNDLE]) {
      const wide = readFileSync(file, 'utf8').match(/[\u0100-\uffff]/g) ?? [];
      assert.deepEqual(wide, [], `${path.relative(ROOT, file)} holds characters beyond Latin-1`);
    }
  });

  it('latin1Only: what it escapes means the same in strings, templates, regular expressions and comments', async (t) => {
    const dir = tempDir('bundle-latin1-');
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const file = path.join(dir, 'x.js');
    writeFileSync(
      file,
      'module.exports = ["\u2019x", "é", `a→b`, /😀/.test("😀"), /→/u.test("→")]; // ’ → 😀\n',
    );
    const load = () => node(`console.log(JSON.stringify(require(${JSON.stringify(file)})))`);
    const before = await load();
    latin1Only(file);
    assert.equal(await load(), before);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /[\u0100-\uffff]/);
    assert.equal(before, '["’x","é","a→b",true,true]');
  });

  it("registers triggerDag in the framework's own registry; a bundled framework would not", async (t) => {
    const registered = (main: string) =>
      node(
        `require(${JSON.stringify(main)}); ` +
          `console.log(typeof require(${JSON.stringify(FRAMEWORK_TESTING)}).getFunction('triggerDag'))`,
      );
    assert.equal(await registered(BUILT_INDEX), 'function');

    // The same bundle with the framework inside: its registrations land in a copy nobody serves.
    const dir = tempDir('bundle-with-framework-');
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    await build({
      ...BUNDLE_OPTIONS,
      entryPoints: ['src/function/entry.ts'],
      outdir: dir,
      external: [],
      sourcemap: false,
      logLevel: 'silent',
    });
    assert.equal(await registered(path.join(dir, 'function', 'entry.js')), 'undefined');
  });

  it("loads yaml on first use from the project's node_modules, beside the bundle", async (t) => {
    const dir = tempDir('bundle-routes-');
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const routes = path.join(dir, 'routes.yaml');
    writeFileSync(routes, '- match: "landing/*.csv"\n  dag: load_landing\n');
    const yaml = realpathSync(path.join(ROOT, 'node_modules', 'yaml')) + path.sep;
    const loaded = await node(
      `require(${JSON.stringify(BUILT_INDEX)}); ` +
        `console.log(Object.keys(require.cache).some((f) => f.startsWith(${JSON.stringify(yaml)})))`,
      { ROUTES_FILE: routes },
    );
    assert.equal(loaded, 'true');
  });
});
