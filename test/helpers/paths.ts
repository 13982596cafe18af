import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/tools/cli';

export const ROOT = projectRoot();
/**
 * What the function processes serve: the package `main`, as `functions-framework --source=.` and
 * the deployed instance do (the bundle, build/bundle/index.js; src/function/bundle/bundle.ts).
 */
export const BUILT_INDEX = path.join(
  ROOT,
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string }).main,
);
/** tsc's output of the same entry, which the tools and in-process tests load (build/src/…). */
export const TSC_INDEX = path.join(ROOT, 'build', 'src', 'index.js');
/** Google's and Apache's material, beside the project (absent outside the workspace). */
export const SHARED_DATA = path.join(ROOT, '..', 'shared', 'data');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const FF_MAIN = path.join(
  ROOT,
  'node_modules',
  '@google-cloud',
  'functions-framework',
  'build',
  'src',
  'main.js',
);

/** A shared data file, or undefined with the reason to print when ../shared is absent. */
export function sharedFile(...parts: string[]): string | undefined {
  const file = path.join(SHARED_DATA, ...parts);
  return existsSync(file) ? file : undefined;
}
