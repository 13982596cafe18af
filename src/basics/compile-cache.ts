import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';

/**
 * Turns on Node's module compile cache (V8 code cache on disk) at `dir`, but only when the build
 * wrote one there: the deployed source is read-only at run time (Google's buildpacks run the image
 * as the `cnb` user on "the read-only filesystem (for cnb user)", builders/gcp/base/stack/
 * run.Dockerfile), so the cache is made by gcp-build (src/function/bundle/bundle.ts) and only read
 * here. A cache is an optimisation, never a reason for a start to fail: Node itself neither throws
 * nor warns when it cannot read or write one (https://nodejs.org/api/module.html#module-compile-cache,
 * "the method is designed to not throw"), a stale entry (the file changed) is compiled afresh, and
 * another Node version or other V8 flags look in another subfolder of `dir`. An instance started
 * with NODE_COMPILE_CACHE (as Google's buildpack does in its cold-start study,
 * cmd/nodejs/functions_framework/lib/lib.go) keeps that one: Node answers ALREADY_ENABLED.
 */
export function useBuiltCompileCache(dir: string): void {
  if (!existsSync(dir)) return;
  try {
    enableCompileCache(dir);
  } catch {
    // Node 22 documents no throw; an older or patched runtime must still start, only slower.
  }
}
