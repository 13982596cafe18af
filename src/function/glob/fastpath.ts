import type { Check, Node } from './nodes';
import { literal } from './nodes';

const REPLACEMENTS: Readonly<Record<string, string>> = {
  '***': '*',
  '**/**': '**',
  '**/**/**': '**',
};

/**
 * picomatch compiles the commonest globs, when they start with `.` or `*`, by a separate table
 * ("fastpaths", lib/parse.js `parse.fastpaths` and lib/picomatch.js `makeRe`), whose guards differ
 * a little from its general parser's (`*.*` needs a character after the dot; `*.csv` may start
 * with a dot). The same table, as nodes; the trailing `\/?` it adds only matters to folder
 * placeholders, which never reach a glob (screen.ts).
 */
export function fastpath(glob: string): Node[] | undefined {
  if (glob[0] !== '.' && glob[0] !== '*') return undefined;
  let input = REPLACEMENTS[glob] ?? glob;
  if (input.startsWith('./')) input = input.slice(2);
  const exts: string[] = [];
  for (;;) {
    const base = FASTPATHS[input];
    if (base !== undefined) return [...base(), ...exts.flatMap(text)];
    const match = /^(.*?)(\.\w+)$/.exec(input);
    if (match === null) return undefined;
    input = match[1] ?? '';
    exts.unshift(match[2] ?? '');
  }
}

/** Literal text, one UTF-16 code unit per node, as picomatch's regular expression (no `u` flag). */
const text = (chars: string): Node[] =>
  Array.from({ length: chars.length }, (_, k) => literal(chars.charCodeAt(k)));
const check = (c: Check): Node => ({ kind: 'check', check: c });
const STAR: Node = { kind: 'star' };
const ANY: Node = { kind: 'any' };
const folders = (): Node => ({
  kind: 'group',
  alternatives: [[check('noDotsAtStart'), ANY, ...text('/')]],
  repeat: 'optional',
});
const FASTPATHS: Readonly<Record<string, () => Node[]>> = {
  '*': () => [check('noDotsAtStart'), check('notEnd'), STAR],
  '.*': () => [...text('.'), check('notEnd'), STAR],
  '*.*': () => [check('noDotsAtStart'), STAR, ...text('.'), check('notEnd'), STAR],
  '*/*': () => [
    check('noDotsAtStart'),
    STAR,
    ...text('/'),
    check('notEnd'),
    check('noDotSegmentHere'),
    STAR,
  ],
  '**': () => [check('noDotsAtStart'), ANY],
  '**/*': () => [folders(), check('noDotSegmentHere'), check('notEnd'), STAR],
  '**/*.*': () => [folders(), check('noDotSegmentHere'), STAR, ...text('.'), check('notEnd'), STAR],
  '**/.*': () => [folders(), ...text('.'), check('notEnd'), STAR],
};
