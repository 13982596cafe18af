/**
 * Child process of write-cache.ts: `node warm-cache.js BUNDLE_MAIN`. Loading the bundle's `main`
 * turns its compile cache on (src/index.ts) and compiles the function through it; the flush then
 * writes what was compiled (https://nodejs.org/api/module.html#moduleflushcompilecache), and the
 * exit stops the instance that the load started.
 */
import { createRequire, flushCompileCache, getCompileCacheDir } from 'node:module';

const main = process.argv[2];
if (main === undefined) {
  process.stderr.write('usage: node warm-cache.js BUNDLE_MAIN\n');
  process.exit(2);
}
createRequire(__filename)(main);
if (getCompileCacheDir() === undefined) {
  process.stderr.write(`loading ${main} did not turn the compile cache on\n`);
  process.exit(1);
}
flushCompileCache();
process.exit(0);
