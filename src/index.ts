import { createRequire } from 'node:module';
import path from 'node:path';
import { useBuiltCompileCache } from './basics/compile-cache';
import type * as Entry from './function/entry';

/**
 * The package `main`. The deployed one is build/bundle/index.js, which gcp-build writes beside
 * its bundle of the function (build/bundle/function/entry.js) and the compile cache of that bundle
 * (build/bundle/compile-cache; src/function/bundle/bundle.ts). The cache only serves modules
 * compiled after it is on, so the function is loaded here, by a `require` that neither tsc nor
 * esbuild follows; under tsc alone (build/src/index.js) the same line loads build/src/function/.
 */
useBuiltCompileCache(path.join(__dirname, 'compile-cache'));
const entry = createRequire(__filename)('./function/entry') as typeof Entry;

export const { triggerDag, triggerDagBackground } = entry;
