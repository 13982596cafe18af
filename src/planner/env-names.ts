/**
 * The settings file's `env:` keys checked against the function's own settings (issue 17, item 7):
 * the function reads only the names in SETTING_NAMES and ignores every other variable, so
 * `DAG_IDS: load_new_object` would deploy and then start the default DAG. The list is the
 * function's, imported, so a setting added there is known here at once.
 */
import { closest, distance } from 'fastest-levenshtein';
import { SETTING_NAMES } from '../function/config';

/**
 * A suggestion is made when at most this share of the name differs (case aside): DAG_IDS → DAG_ID,
 * INLCUDE → INCLUDE, dag_id → DAG_ID; an unrelated name gets the list's place instead.
 */
const CLOSE_ENOUGH = 1 / 3;

/** The known name nearest to `name` by edit distance, ignoring case, if it is near enough. */
export function nearestSetting(name: string): string | undefined {
  const upper = name.toUpperCase();
  const nearest = closest(upper, SETTING_NAMES);
  const near = distance(upper, nearest) <= Math.max(1, Math.floor(upper.length * CLOSE_ENOUGH));
  return near ? nearest : undefined;
}

/** One problem per `env:` key the function does not read, each with the nearest known name. */
export function unknownEnvNames(names: readonly string[]): string[] {
  const known = new Set<string>(SETTING_NAMES);
  return names
    .filter((name) => !known.has(name))
    .map((name) => {
      const nearest = nearestSetting(name);
      const hint =
        nearest === undefined
          ? 'the function reads only its own settings (docs/configuration.md#every-setting lists them)'
          : `did you mean ${nearest}?`;
      return `env.${name} is not a setting of the function, which would ignore it: ${hint}`;
    });
}
