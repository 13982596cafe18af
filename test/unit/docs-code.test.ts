/**
 * What the pages show as code and settings is real: every Python block (the DAGs readers copy into
 * their dags folder) parses, the README's DAGs are the reference page's, and the settings table
 * names exactly the settings the function reads (issue 12: asset DAGs and ASSET_URI).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SETTING_NAMES } from '../../src/function/config';
import { ROOT } from '../helpers/paths';

const PAGES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (page: string): string => readFileSync(path.join(ROOT, page), 'utf8');

const pythonBlocks = (markdown: string): string[] =>
  [...markdown.matchAll(/^```python\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '');

// Reads a JSON list of sources on stdin; prints the syntax errors, one "index: message" a line.
const PARSE_ALL = `
import ast, json, sys
for i, source in enumerate(json.load(sys.stdin)):
    try:
        ast.parse(source)
    except SyntaxError as err:
        print(f"{i}: line {err.lineno}: {err.msg}")
`;

const hasPython = spawnSync('python3', ['--version'], { timeout: 10_000 }).status === 0;

describe('docs: code and settings that are real', () => {
  it(
    'every Python block of the README and docs/ parses',
    { skip: !hasPython && 'no python3' },
    () => {
      const blocks = PAGES.flatMap((page) =>
        pythonBlocks(text(page)).map((source, i) => ({ where: `${page} block ${i + 1}`, source })),
      );
      assert.ok(blocks.length >= 6, `only ${blocks.length} Python blocks found`);
      const ran = spawnSync('python3', ['-c', PARSE_ALL], {
        input: JSON.stringify(blocks.map((b) => b.source)),
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.equal(ran.status, 0, ran.stderr);
      const errors = ran.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [index = '', message = ''] = line.split(/: (.*)/s);
          return `${blocks[Number(index)]?.where ?? index}: ${message}`;
        });
      assert.deepEqual(errors, []);
    },
  );

  it("the README's asset DAGs are docs/assets.md's, word for word", () => {
    const front = pythonBlocks(text('README.md'));
    const reference = pythonBlocks(text('docs/assets.md'));
    assert.equal(front.length, 2, 'the README shows one DAG for Airflow 2 and one for Airflow 3');
    for (const dag of front) assert.ok(reference.includes(dag), `docs/assets.md lacks:\n${dag}`);
  });

  it("docs/configuration.md's settings table names exactly the function's settings", () => {
    const section = text('docs/configuration.md').split('## Every setting')[1] ?? '';
    const table = section.split('\n## ')[0] ?? '';
    const documented = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1] ?? '');
    assert.deepEqual(
      { undocumented: SETTING_NAMES.filter((name) => !documented.includes(name)) },
      { undocumented: [] },
    );
    assert.deepEqual(
      {
        notInCode: documented.filter(
          (name) => !(SETTING_NAMES as readonly string[]).includes(name),
        ),
      },
      { notInCode: [] },
    );
  });
});
