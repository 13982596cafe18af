/**
 * The README and docs/ point only at what exists: every relative link reaches a file (and, with a
 * `#fragment`, a heading in it), every `npm run NAME` is a script of package.json, every
 * `deploy/NAME.sh` is a script of deploy/. Pages move and headings get renamed; a link that rots
 * fails here instead of on a reader.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { anchors, slug } from '../helpers/markdown';
import { ROOT } from '../helpers/paths';

const PAGES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (page: string): string => readFileSync(path.join(ROOT, page), 'utf8');

/** Relative Markdown link targets of a page, outside code blocks. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target));
}

describe('docs: links, scripts and commands that exist', () => {
  it('the slug rule matches GitHub on the headings these pages use', () => {
    assert.equal(
      slug('2. Composer 1 or Composer 2/3: what the function needs'),
      '2-composer-1-or-composer-23-what-the-function-needs',
    );
    assert.equal(
      slug('The default DAG: `composer_sample_trigger_response_dag`'),
      'the-default-dag-composer_sample_trigger_response_dag',
    );
    assert.deepEqual([...anchors('# A\n```sh\n# not a heading\n```\n## A\n')], ['a', 'a-1']);
  });

  for (const page of PAGES) {
    it(`${page}: every relative link reaches a file and heading`, () => {
      const broken: string[] = [];
      for (const target of links(text(page))) {
        const [file = '', fragment] = target.split('#');
        const resolved = file === '' ? page : path.join(path.dirname(page), file);
        if (!existsSync(path.join(ROOT, resolved))) {
          broken.push(`${target}: no ${resolved}`);
          continue;
        }
        if (fragment !== undefined && !anchors(text(resolved)).has(fragment)) {
          broken.push(`${target}: no heading #${fragment} in ${resolved}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }

  it('every `npm run NAME` in the pages is a script of package.json', () => {
    const pkg = JSON.parse(text('package.json')) as { scripts: Record<string, string> };
    const named = PAGES.flatMap((page) =>
      [...text(page).matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)].map((m) => `${page}: ${m[1]}`),
    );
    assert.ok(named.length > 10, `only ${named.length} npm run commands found`);
    const unknown = named.filter((n) => !((n.split(': ')[1] ?? '') in pkg.scripts));
    assert.deepEqual(unknown, []);
  });

  it('every `deploy/NAME.sh` in the pages is a script of deploy/', () => {
    const named = new Set(PAGES.flatMap((page) => text(page).match(/deploy\/[\w-]+\.sh/g) ?? []));
    assert.ok(named.size >= 4, [...named].join(', '));
    const missing = [...named].filter((script) => !existsSync(path.join(ROOT, script)));
    assert.deepEqual(missing, []);
  });
});
