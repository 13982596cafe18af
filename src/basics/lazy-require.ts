import { createRequire } from 'node:module';

/**
 * `require` for modules that only some instances need, loaded on first use instead of at cold
 * start (yaml ~20 ms, @google-cloud/storage ~70 ms on this project's machine). Synchronous, and
 * it loads the same CommonJS build that the type imports describe.
 */
export const lazyRequire = createRequire(__filename);
