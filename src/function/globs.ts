import picomatch from 'picomatch';

/**
 * Glob options shared by filters and routes. `dot: true` because Cloud Storage has no hidden
 * objects: `sales/**` must match `sales/.done` too. `strictBrackets` makes an unbalanced bracket
 * or brace a configuration error instead of a pattern that silently matches literally.
 */
const OPTIONS: picomatch.PicomatchOptions = { dot: true, strictBrackets: true };

export type Matcher = (objectName: string) => boolean;

/** Why `glob` is unusable, or undefined when it compiles. */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'is an empty glob';
  if (glob.startsWith('/')) return `"${glob}" starts with "/", but object names never do`;
  try {
    picomatch.makeRe(glob, OPTIONS);
    return undefined;
  } catch (err) {
    return `"${glob}" is not a valid glob (${err instanceof Error ? err.message : String(err)})`;
  }
}

export function compileGlobs(globs: readonly string[]): Matcher {
  if (globs.length === 0) return () => false;
  return picomatch([...globs], OPTIONS);
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
