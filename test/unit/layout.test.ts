/**
 * The folders of src/ are the parts (issue 11, item 12), and imports point one way:
 *
 *   basics  <-  function  <-  planner  <-  tools        (src/index.ts: function and basics only)
 *
 * basics: shared pieces with no domain knowledge (HTTP, logging, redaction, gs:// URIs, errors);
 * function: what runs per event; planner: the deploy plans (it reads the function's own config
 * parsing); tools: the command-line programs (they may use the planner's settings file). Read from
 * the sources with TypeScript's own import scanner, so `import type`, `export … from` and
 * `import()` count too.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../helpers/paths';

const SRC = path.join(ROOT, 'src');

type Part = 'basics' | 'function' | 'planner' | 'tools' | 'index';

const MAY_IMPORT: Readonly<Record<Part, readonly Part[]>> = {
  basics: ['basics'],
  function: ['basics', 'function'],
  planner: ['basics', 'function', 'planner'],
  tools: ['basics', 'function', 'planner', 'tools'],
  index: ['basics', 'function'],
};

/** The part a file of src/ belongs to, or undefined for a file outside every part. */
function partOf(file: string): Part | undefined {
  const relative = path.relative(SRC, file).split(path.sep);
  if (relative.length === 1) return relative[0] === 'index.ts' ? 'index' : undefined;
  const folder = relative[0];
  return folder === 'basics' || folder === 'function' || folder === 'planner' || folder === 'tools'
    ? folder
    : undefined;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of `file` (whose text is `text`), as the file it names. */
function importsOf(file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => `${path.resolve(path.dirname(file), name)}.ts`);
}

/** One line per import of `file` against the direction, or one for a file outside the parts. */
function problemsOf(file: string, text: string): string[] {
  const shown = path.relative(ROOT, file);
  const from = partOf(file);
  if (from === undefined) return [`${shown} is in no part (basics, function, planner, tools)`];
  return importsOf(file, text).flatMap((target) => {
    const to = partOf(target);
    if (to !== undefined && MAY_IMPORT[from].includes(to)) return [];
    const where = to === undefined ? path.relative(ROOT, target) : `${to}/`;
    return [`${shown} imports ${where}: ${from} may import only ${MAY_IMPORT[from].join(', ')}`];
  });
}

describe('layout: the parts of src/ and the direction of their imports', () => {
  const files = sources(SRC);

  it('every part exists and holds code', () => {
    for (const part of ['basics', 'function', 'planner', 'tools'])
      assert.ok(
        files.some((f) => partOf(f) === part),
        `src/${part}/ has no .ts file`,
      );
  });

  it('no import points against basics <- function <- planner <- tools', () => {
    const problems = files.flatMap((file) => problemsOf(file, readFileSync(file, 'utf8')));
    assert.deepEqual(problems, []);
  });

  it('the check sees each kind of wrong import, and a file outside the parts', () => {
    const at = (...parts: string[]) => path.join(SRC, ...parts);
    const wrong: [string, string, RegExp][] = [
      [
        at('basics', 'http.ts'),
        "import type { X } from '../function/airflow/request';",
        /^src\/basics\/http\.ts imports function\//,
      ],
      [
        at('function', 'pipeline.ts'),
        "export { main } from '../tools/cli';",
        /imports tools\/: function may/,
      ],
      [
        at('function', 'airflow', 'client.ts'),
        "const p = import('../../planner/settings');",
        /imports planner\//,
      ],
      [at('planner', 'settings.ts'), "import '../tools/trigger';", /imports tools\/: planner may/],
      [at('index.ts'), "import { x } from './planner/steps';", /^src\/index\.ts imports planner\//],
      [
        at('tools', 'cli.ts'),
        "import { x } from '../../test/helpers/paths';",
        /imports test\/helpers\/paths\.ts/,
      ],
      [at('stray.ts'), '', /^src\/stray\.ts is in no part/],
    ];
    for (const [file, text, expected] of wrong) {
      const [problem, ...more] = problemsOf(file, text);
      assert.match(problem ?? 'no problem found', expected, text);
      assert.equal(more.length, 0);
    }
    assert.deepEqual(problemsOf(at('tools', 'trigger.ts'), "import '../planner/settings';"), []);
  });
});
