/**
 * JSON carried as text, so what a trigger file says reaches Airflow exactly as written (issue 9).
 *
 * Why text and not a parsed value: `JSON.parse` turns 9007199254740993 into 9007199254740992 and
 * 1e400 into Infinity (sent as null), and `JSON.stringify` recurses, so a file nested a few
 * thousand levels deep parses fine and then overflows the stack when the body is built. Node 22
 * could keep numbers with a reviver's `context.source` and `JSON.rawJSON`, but TypeScript's lib has
 * no types for either, V8's reviver walk recurses too, and `rawJSON` takes only primitives, so the
 * conf object could not be embedded with it anyway. Validating the text once and carrying its
 * tokens unchanged keeps every number form (-0, 1E5, 1e400, 20-digit decimals) and every string
 * escape by construction; only whitespace between tokens is dropped.
 */

declare const jsonText: unique symbol;
/** Text that is exactly one valid JSON value: embedded in a body as is, never re-serialized. */
export type JsonText = string & { readonly [jsonText]: true };

export type JsonTextResult =
  { readonly ok: true; readonly text: JsonText } | { readonly ok: false; readonly reason: string };

/**
 * How deeply a trigger file's arrays and objects may nest (`[[1]]` is 2 levels). Real parameter
 * files stay within a handful; Python's json (what a DAG and Airflow itself read conf with)
 * recurses per level, and a limit far below any stack keeps every later step safe.
 */
export const MAX_JSON_DEPTH = 64;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** JSON's four whitespace characters (RFC 8259), the only ones allowed between tokens. */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * `text` without whitespace between tokens, or undefined once arrays/objects nest deeper than
 * `maxDepth`. One iterative pass, so no input depth can overflow the stack; it stops at the first
 * level too many. Brackets inside strings (escapes included) are not nesting.
 */
function compact(text: string, maxDepth: number): string | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i += 1; // a backslash: the next character is escaped, even a quote
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return undefined;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    } else if (isSpace(c)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.join('');
}

/**
 * Validates `text` as one JSON value nested at most `maxDepth` deep and returns its tokens exactly
 * as written. Never throws. The depth is checked first, so a deep file is never parsed at all.
 */
export function exactJson(text: string, maxDepth: number = MAX_JSON_DEPTH): JsonTextResult {
  const compacted = compact(text, maxDepth);
  if (compacted === undefined) {
    return {
      ok: false,
      reason: `nested deeper than ${maxDepth} levels (arrays and objects inside one another)`,
    };
  }
  try {
    // The original text, not the compacted one: `1 2` is not JSON though `12` is. In valid JSON
    // whitespace always touches a bracket, comma, colon or an end, so dropping it merges nothing.
    JSON.parse(text); // validation only: the value itself is never used
  } catch (err) {
    return { ok: false, reason: `not JSON: ${message(err)}` };
  }
  return { ok: true, text: compacted as JsonText };
}

/**
 * `JSON.stringify(value)`, as a result that never throws: a cycle, a BigInt, a stack overflow or a
 * throwing `toJSON` become a reason. `undefined` (nothing to send) is a reason too.
 */
export function toJsonText(value: unknown): JsonTextResult {
  try {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) return { ok: false, reason: 'nothing JSON can represent' };
    return { ok: true, text: text as JsonText };
  } catch (err) {
    return { ok: false, reason: `not serializable as JSON: ${message(err)}` };
  }
}

/** A string, finite number, boolean or null as JSON text (cannot fail). */
export const jsonScalar = (value: string | number | boolean | null): JsonText =>
  JSON.stringify(value) as JsonText;

/** `{"k1":v1,"k2":v2}` from member texts, by concatenation: no member is serialized again. */
export function jsonObject(members: readonly (readonly [string, JsonText])[]): JsonText {
  return `{${members.map(([key, value]) => `${jsonScalar(key)}:${value}`).join(',')}}` as JsonText;
}

/**
 * An object's JSON text with members appended (`{"a":1}` + content → `{"a":1,"content":…}`).
 * `object` must be an object's text, as `toJsonText` returns for a plain object, without the
 * appended keys (JSON allows duplicates, but which one a reader keeps is its choice).
 */
export function withMembers(
  object: JsonText,
  members: readonly (readonly [string, JsonText])[],
): JsonText {
  if (members.length === 0) return object;
  const added = jsonObject(members).slice(1); // `"k":v,…}`
  const open = object.slice(0, -1); // `{"a":1` or `{`
  return `${open}${open === '{' ? '' : ','}${added}` as JsonText;
}
