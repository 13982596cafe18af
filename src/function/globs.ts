import picomatch from 'picomatch';
import { compileMachine } from './glob/machine';
import { GlobSyntaxError, parseGlob } from './glob/parse';

/**
 * Glob options shared by filters and routes. `dot: true` because Cloud Storage has no hidden
 * objects: `sales/**` must match `sales/.done` too. `strictBrackets` makes an unbalanced bracket
 * or brace a configuration error instead of a pattern that silently matches literally.
 */
const OPTIONS: picomatch.PicomatchOptions = { dot: true, strictBrackets: true };

export type Matcher = (objectName: string) => boolean;

/**
 * Why `glob` is unusable, or undefined when it compiles. picomatch still decides what is a glob
 * (what it refused before issue 17 stays refused, with its message); glob/parse.ts then refuses
 * the few forms whose picomatch meaning is not what they say, or that need a lookahead.
 */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'is an empty glob';
  if (glob.startsWith('/')) return `"${glob}" starts with "/", but object names never do`;
  try {
    picomatch.makeRe(glob, OPTIONS);
  } catch (err) {
    return `"${glob}" is not a valid glob (${err instanceof Error ? err.message : String(err)})`;
  }
  try {
    parseGlob(glob);
    return undefined;
  } catch (err) {
    if (!(err instanceof GlobSyntaxError)) throw err;
    return `"${glob}" ${err.message}`;
  }
}

/**
 * One matcher for a list of globs: a name matches when any glob does. Linear in the name's length
 * times the globs' (glob/machine.ts), whatever the name: an uploader chooses it (issue 17).
 * Callers pass globs globProblem accepted (the configuration checks them at cold start).
 */
export function compileGlobs(globs: readonly string[]): Matcher {
  const machines = globs.map((glob): Matcher => {
    const machine = compileMachine(parseGlob(glob));
    // As picomatch.test: an empty name never matches; a name equal to the glob always does.
    return (name) => name !== '' && (name === glob || machine(name));
  });
  return (objectName) => machines.some((matches) => matches(objectName));
}

/**
 * A list of globs from one environment variable: a JSON array (`["a/**","b/*.csv"]`), or globs
 * separated by commas. Commas inside braces belong to the glob (`*.{csv,json}`), so a plain split
 * would break the most common pattern. Returns undefined when a JSON array is malformed.
 */
export function parseGlobList(raw: string): string[] | undefined {
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((g) => typeof g === 'string')) return parsed;
    } catch {
      // fall through: reported as malformed by the caller
    }
    return undefined;
  }
  const globs: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === ',' && depth === 0) {
      globs.push(current.trim());
      current = '';
      continue;
    }
    if (ch === '{') depth += 1;
    if (ch === '}') depth = Math.max(0, depth - 1);
    current += ch;
  }
  globs.push(current.trim());
  return globs.filter((g) => g !== '');
}
