import picomatch from 'picomatch';
import { fastpath } from './fastpath';
import type { Check, Node, ParsedGlob } from './nodes';
import { literal } from './nodes';

/**
 * A glob, parsed into the pieces the matcher (machine.ts) runs. The syntax and its meaning are
 * picomatch 4's with `{ dot: true, strictBrackets: true }`, which the function used until issue 17
 * (item 1) and which docs/configuration.md names: the property test in test/unit/globs.test.ts
 * checks that both give the same answer. Only the matching changed: picomatch runs a backtracking
 * regular expression, which an uploader could make take minutes.
 *
 * Refused, each with its own line, because today's meaning is not what the pattern says, or
 * cannot be matched in linear time:
 * - `[!…]`: picomatch 4 compiles it to "`!` or one of …" (or the literal text), not "none of …";
 * - a class holding `/`: picomatch compiles it to the class or the literal text; no name's
 *   character inside a folder name is ever `/`;
 * - `{a..b}` but between two single characters: picomatch 4 compiles `{1..10}` to the class
 *   `[1-10]`, i.e. "0 or 1";
 * - `!(…)`: "anything but" is a complement, which a Thompson NFA cannot hold without being made
 *   deterministic (exponential in the glob); picomatch runs it as a lookahead; EXCLUDE says it;
 * - `**` inside a folder name (`a**b`, `**.csv/x`): picomatch reads it as `*`, or as `**` crossing
 *   "/", depending on its neighbours and on its fastpath table;
 * - `?` or `+` right after `)`: picomatch passes them to the regular expression as quantifiers;
 * - a trailing `\`: picomatch compiles the whole glob to a regular expression that matches nothing;
 * - braces or parentheses nested over 20 deep (the parser recurses).
 *
 * One answer differs on purpose: picomatch's `**` is built on the regular expression `.`, which
 * does not match U+2028 and U+2029 (nor CR and LF, which Cloud Storage refuses in names); here
 * `**` matches any character, as a glob means.
 */

export class GlobSyntaxError extends Error {
  override name = 'GlobSyntaxError';
}

const OPTIONS: picomatch.PicomatchOptions = { dot: true, strictBrackets: true };
const SLASH = 0x2f;
const notSlash = (code: number): boolean => code !== SLASH;

/** Characters that end an alternative inside a group, and those that may sit next to a `**`. */
const OPENERS = new Set(['{', ',', '(', '|']);
const CLOSERS = new Set(['}', ',', ')', '|']);
const EXTGLOB = new Map<string, 'one' | 'optional' | 'some' | 'any'>([
  ['@', 'one'],
  ['?', 'optional'],
  ['+', 'some'],
  ['*', 'any'],
]);

const MAX_DEPTH = 20;

class Parser {
  private i: number;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly start: number,
  ) {
    this.i = start;
  }

  /** A sequence up to one of `stops` (not consumed) or the end. */
  sequence(stops: ReadonlySet<string>): Node[] {
    // Groups recurse: bound their depth so that a glob of 10,000 "{" is a line, not a stack overflow.
    this.depth += 1;
    if (this.depth > MAX_DEPTH) {
      throw new GlobSyntaxError(`nests braces or parentheses more than ${MAX_DEPTH} deep`);
    }
    const nodes: Node[] = [];
    while (this.i < this.text.length) {
      const ch = this.text[this.i] ?? '';
      if (stops.has(ch)) break;
      nodes.push(...this.piece(ch));
    }
    this.depth -= 1;
    return nodes;
  }

  private piece(ch: string): Node[] {
    const next = this.text[this.i + 1];
    if (next === '(' && (EXTGLOB.has(ch) || ch === '!')) return this.extglob(ch);
    if (ch === '(') return this.group('one', 1, []);
    if (ch === '/' && this.globstarAt(this.i + 1)) return this.globstar(true);
    if (ch === '*') return this.star();
    if (ch === '?') {
      this.i += 1;
      return [{ kind: 'char', test: notSlash }];
    }
    if (ch === '[') return [this.bracket()];
    if (ch === '{') return this.brace();
    if (ch === '\\') {
      const escaped = this.text.charCodeAt(this.i + 1);
      if (Number.isNaN(escaped)) throw new GlobSyntaxError('ends in "\\", which escapes nothing');
      this.i += 2;
      return [literal(escaped)];
    }
    const code = this.text.charCodeAt(this.i);
    this.i += 1;
    return [literal(code)];
  }

  /** Whether exactly `**` stands at `at` as a whole folder name (or a whole alternative). */
  private globstarAt(at: number): boolean {
    if (this.text.slice(at, at + 2) !== '**' || this.text[at + 2] === '*') return false;
    const before = at === this.start ? '' : (this.text[at - 1] ?? '');
    const after = this.text[at + 2];
    const opens = before === '' || before === '/' || OPENERS.has(before);
    return opens && (after === undefined || after === '/' || CLOSERS.has(after));
  }

  /**
   * picomatch's four forms: `**` alone, `**` + `/` (leading: nothing or folders then `/`),
   * `/` + `**` + `/` (middle: `/`, or `/` and folders and `/`), `/` + `**` (trailing: nothing, or
   * `/` and anything). picomatch.js parse(), the "globstar" branches.
   */
  private globstar(slashBefore: boolean): Node[] {
    const afterStar = slashBefore && this.text[this.i - 1] === '*';
    this.i += slashBefore ? 3 : 2;
    // `**/**` is one `**` (picomatch folds them: its "prior globstar" branch).
    while (this.text[this.i] === '/' && this.globstarAt(this.i + 1)) this.i += 3;
    const slashAfter = this.text[this.i] === '/';
    if (slashAfter) this.i += 1;
    const slash = literal(SLASH);
    const any: Node = { kind: 'any' };
    const guard: Node = { kind: 'check', check: 'noDotSegmentHere' };
    const optional = (nodes: Node[]): Node => ({
      kind: 'group',
      alternatives: [nodes],
      repeat: 'optional',
    });
    if (slashBefore && slashAfter) {
      const end: Node = { kind: 'check', check: 'atEnd' };
      return [
        {
          kind: 'group',
          alternatives: [[slash, guard, any, slash], [slash], [end]],
          repeat: 'one',
        },
      ];
    }
    if (slashAfter) return [optional([any, slash])];
    // After a star picomatch drops the "nothing" choice: `*/**` needs the "/" (`a*/**` ≠ `a`).
    if (afterStar) return [slash, guard, any];
    if (slashBefore) return [optional([slash, guard, any])];
    return [any];
  }

  /** `*`: one folder name's characters, guarded as picomatch does; `**` inside a name is refused. */
  private star(): Node[] {
    if (this.globstarAt(this.i)) return this.globstar(false);
    const at = this.i;
    while (this.text[this.i] === '*') this.i += 1;
    if (this.i - at >= 2) {
      throw new GlobSyntaxError(
        `has "${this.text.slice(at, this.i)}" inside a folder name, where picomatch's meaning changes ` +
          'with what surrounds it: write "*" inside a name, and "**" only as a whole folder name ' +
          '(`a/**/b`)',
      );
    }
    const before = at === this.start ? '/' : (this.text[at - 1] ?? '');
    const twoBack = at - 1 === this.start ? '/' : (this.text[at - 2] ?? '');
    const checks: Check[] = [];
    if (before === '/') checks.push('noDotSegmentHere', 'notEnd');
    else if (before === '.' && twoBack === '/') {
      if (at - 1 !== this.start) checks.push('noDotSegmentBack');
      checks.push('notEnd');
    }
    return [...checks.map((check): Node => ({ kind: 'check', check })), { kind: 'star' }];
  }

  /** `@(a|b)`, `?(…)`, `+(…)`, `*(…)`; `!(…)` is refused (see the top of this file). */
  private extglob(ch: string): Node[] {
    const repeat = EXTGLOB.get(ch);
    if (repeat === undefined) {
      throw new GlobSyntaxError(
        'uses "!(…)", which cannot be matched in linear time: list what to skip in EXCLUDE instead',
      );
    }
    // picomatch adds `(?=.)` before `?(…)` and `*(…)` that start the glob: never the empty name.
    const checks: Node[] =
      this.i === this.start && (repeat === 'optional' || repeat === 'any')
        ? [{ kind: 'check', check: 'notEnd' }]
        : [];
    return this.group(repeat, 2, checks);
  }

  private group(repeat: 'one' | 'optional' | 'some' | 'any', skip: number, before: Node[]): Node[] {
    this.i += skip;
    const alternatives: Node[][] = [this.sequence(CLOSE_PAREN)];
    while (this.text[this.i] === '|') {
      this.i += 1;
      alternatives.push(this.sequence(CLOSE_PAREN));
    }
    if (this.text[this.i] !== ')') throw new GlobSyntaxError('has a "(" without its ")"');
    this.i += 1;
    const after = this.text[this.i];
    if (after === '?' || after === '+') {
      const means = after === '?' ? 'the group or nothing' : 'the group, repeated';
      throw new GlobSyntaxError(
        `has "${after}" right after ")", which picomatch reads as "${means}", not as a character: ` +
          `write ${after}(…) for that, or [${after}] for the character`,
      );
    }
    return [...before, { kind: 'group', alternatives, repeat }];
  }

  /** `{a,b}` (nested, empty alternatives allowed); `{a}` has no comma and is literal text. */
  private brace(): Node[] {
    const open = this.i;
    this.i += 1;
    const alternatives: Node[][] = [this.sequence(BRACE_STOPS)];
    while (this.text[this.i] === ',' || this.text[this.i] === '|') {
      this.i += 1;
      alternatives.push(this.sequence(BRACE_STOPS));
    }
    if (this.text[this.i] !== '}') throw new GlobSyntaxError('has a "{" without its "}"');
    this.i += 1;
    const inside = this.text.slice(open + 1, this.i - 1);
    if (/^[^,|{}]*\.\.[^,|{}]*$/.test(inside)) return [this.range(inside)];
    if (alternatives.length === 1) {
      // No comma: picomatch matches the braces and what they hold literally.
      const literalText = new Parser(`\\{${escapeAll(inside)}\\}`, 0);
      return literalText.sequence(new Set());
    }
    return [{ kind: 'group', alternatives, repeat: 'one' }];
  }

  /**
   * `{a..e}`: picomatch 4 (without `expandRange`) writes it as the class `[a-e]`, which is a range
   * only between two single characters: `{1..10}` becomes `[1-10]`, "0 or 1".
   */
  private range(inside: string): Node {
    const [from = '', to = ''] = inside.split('..');
    const low = from.charCodeAt(0);
    const high = to.charCodeAt(0);
    if (from.length !== 1 || to.length !== 1 || low > high || low === SLASH || high === SLASH) {
      throw new GlobSyntaxError(
        `uses the range "{${inside}}", which picomatch does not expand (it makes one character of it): ` +
          'list the values instead, e.g. {1,2,10}',
      );
    }
    return { kind: 'char', test: (code) => code >= low && code <= high && code !== SLASH };
  }

  /** `[…]`: one character, tested by the one-character regular expression picomatch makes of it. */
  private bracket(): Node {
    const open = this.i;
    let j = open + 1;
    if (this.text[j] === '!') {
      throw new GlobSyntaxError(
        'uses "[!…]", which picomatch reads as "! or one of …": write [^…] for "none of …"',
      );
    }
    if (this.text[j] === '^') j += 1;
    if (this.text[j] === ']') j += 1;
    while (j < this.text.length && this.text[j] !== ']') {
      if (this.text[j] === '\\') j += 1;
      else if (this.text.startsWith('[:', j)) {
        const close = this.text.indexOf(':]', j + 2);
        if (close >= 0) j = close + 1;
      }
      j += 1;
    }
    if (j >= this.text.length) throw new GlobSyntaxError('has a "[" without its "]"');
    const raw = this.text.slice(open, j + 1);
    if (raw.includes('/')) {
      throw new GlobSyntaxError(
        `has the class "${raw}" holding "/", which no character of a folder name is`,
      );
    }
    this.i = j + 1;
    const one = picomatch.makeRe(raw, OPTIONS);
    return { kind: 'char', test: (code) => one.test(String.fromCharCode(code)) };
  }

  get at(): number {
    return this.i;
  }
}

const CLOSE_PAREN = new Set([')', '|']);
const BRACE_STOPS = new Set(['}', ',', '|']);
const escapeAll = (text: string): string => text.replace(/[\s\S]/g, (c) => `\\${c}`);

/** Parses `glob`, or throws a GlobSyntaxError saying what is wrong with it. */
export function parseGlob(glob: string): ParsedGlob {
  const fast = fastpath(glob);
  if (fast !== undefined) return { negated: false, body: fast };
  let start = 0;
  while (glob[start] === '!' && glob[start + 1] !== '(') start += 1;
  const negated = start % 2 === 1;
  // picomatch drops a leading "./" (object names never have one): `./a` is `a`.
  while (glob.startsWith('./', start)) start += 2;
  const parser = new Parser(glob, start);
  const body = parser.sequence(new Set([')']));
  if (parser.at < glob.length) throw new GlobSyntaxError('has a ")" without its "("');
  return { negated, body };
}
