import type { Config } from './config';
import type { ObjectEvent } from './event';
import { compileGlobs } from './globs';

/** Why an object version is not triggered for: skipped on purpose, or too old to act on. */
export type Skip =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'expired'; readonly reason: string };

export type Screen = (
  event: ObjectEvent,
  nowMs: number,
  options?: { checkAge?: boolean },
) => Skip | undefined;

/** Compiles INCLUDE/EXCLUDE once per instance; the returned check is pure. */
export function createScreen(
  config: Pick<Config, 'include' | 'exclude' | 'defaultExclude' | 'maxEventAgeSeconds'>,
): Screen {
  const include = compileGlobs(config.include);
  const exclude = compileGlobs(config.exclude);
  const temporaries = config.defaultExclude.map((glob) => [glob, compileGlobs([glob])] as const);
  const maxAgeMs = config.maxEventAgeSeconds * 1000;
  return (event, nowMs, options = {}) => {
    const { name } = event;
    // The console's "create folder" writes a zero-byte placeholder named "folder/".
    if (name.endsWith('/')) return { kind: 'ignored', reason: `"${name}" is a folder placeholder` };
    const temporary = temporaries.find(([, matches]) => matches(name));
    if (temporary !== undefined) {
      const why = `"${name}" is a temporary object of an upload or a job (DEFAULT_EXCLUDE "${temporary[0]}")`;
      return { kind: 'ignored', reason: `${why}; the finished object starts its own run` };
    }
    if (config.include.length > 0 && !include(name)) {
      return { kind: 'ignored', reason: `"${name}" matches no INCLUDE glob` };
    }
    if (exclude(name)) return { kind: 'ignored', reason: `"${name}" matches an EXCLUDE glob` };
    const time = event.meta.time === null ? Number.NaN : Date.parse(event.meta.time);
    // An event without a readable time cannot be aged; acting on it beats dropping it.
    if (
      (options.checkAge ?? true) &&
      maxAgeMs > 0 &&
      !Number.isNaN(time) &&
      nowMs - time > maxAgeMs
    ) {
      const age = Math.round((nowMs - time) / 1000);
      return {
        kind: 'expired',
        reason: `the event is ${age} s old, over MAX_EVENT_AGE_SECONDS=${config.maxEventAgeSeconds}`,
      };
    }
    return undefined;
  };
}
