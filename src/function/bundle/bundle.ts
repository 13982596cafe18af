/**
 * The second step of `npm run build` and of gcp-build, after tsc: the function as one CommonJS file
 * and the compile cache of that file, so that a cold start reads one file instead of resolving,
 * reading and compiling ~190 modules (issue 20). Run from the project root as
 * `node build/src/function/bundle/bundle.js`. Cloud Build runs gcp-build with the devDependencies
 * installed (esbuild is one), then prunes them from the image: Google's Node.js buildpack installs
 * with NODE_ENV=development when a build script exists, gcp-build before build, and runs
 * `npm prune --production` after it (GoogleCloudPlatform/buildpacks, cmd/nodejs/npm/lib/lib.go and
 * pkg/nodejs/npm.go DetermineBuildCommands; https://cloud.google.com/appengine/docs/standard/nodejs/running-custom-build-step:
 * "the dependencies in the dependencies and devDependencies fields of your package.json file are
 * available").
 *
 * Writes build/bundle/: index.js (the package `main`: src/index.ts, which turns the cache on and
 * loads the rest), function/entry.js (src/function/entry.ts with every package it imports, except
 * the Functions Framework), a source map beside each, and compile-cache/.
 */
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeCompileCache } from './write-cache';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const BUNDLE_DIR = path.join(ROOT, 'build', 'bundle');

export const BUNDLE_OPTIONS: BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ['src/index.ts', 'src/function/entry.ts'],
  outbase: 'src',
  outdir: BUNDLE_DIR,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // The framework's binary loads our module and serves what was registered in its own copy of the
  // registry (functions-framework build/src/function_registry.ts): a bundled second copy would
  // take the registrations where nobody looks (test/e2e/bundle.test.ts shows it).
  // Files a bundled package finds by its own __dirname would be looked for beside the bundle:
  // pino's transports (worker threads) are such, and the function uses none (src/basics/log.ts
  // writes synchronously to stdout); yaml and @google-cloud/storage load on first use through
  // lazyRequire, a createRequire that esbuild leaves alone and that resolves from build/bundle/.
  external: ['@google-cloud/functions-framework'],
  // Not minified, so stack traces in Cloud Logging keep every function's name and the bundle reads
  // like the sources (esbuild marks each file with a `// src/…` comment); the maps let a developer
  // map a line back (docs/benchmark.md, "Cold start: bundle and compile cache").
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
};

/**
 * esbuild rewrites the files in place (not a removal of build/bundle first, which would leave a
 * function process or test that starts meanwhile with no `main` at all), then the cache is made
 * anew for them.
 */
async function main(): Promise<void> {
  await build(BUNDLE_OPTIONS);
  for (const file of ['index.js', path.join('function', 'entry.js')])
    latin1Only(path.join(BUNDLE_DIR, file));
  writeCompileCache(BUNDLE_DIR, process.env);
}

/**
 * V8 holds a script's source as one-byte text only when every character is Latin-1; one `’` keeps
 * the whole 1.1 MB bundle two-byte, +2 MiB of every instance's heap (issue 20, docs/benchmark.md
 * "Peak memory"). esbuild already writes code ASCII-only (its default `charset`), so what is left
 * is in comments it keeps (a dozen JSDoc lines of ours and of a stream polyfill): each such
 * character becomes its `\uXXXX` spelling, which means the same anywhere in code too.
 */
export function latin1Only(file: string): void {
  const text = readFileSync(file, 'utf8');
  // Per UTF-16 code unit (no `u` flag): a character beyond the BMP becomes its two surrogates,
  // which strings and regular expressions of either kind read as that character.
  const escaped = text.replace(
    /[\u0100-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (escaped !== text) writeFileSync(file, escaped);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`error: bundling the function failed: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
