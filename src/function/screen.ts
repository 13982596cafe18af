import type { Config } from './config';
import type { ObjectEvent } from './event';
import { compileGlobs } from './globs';
import type { Platform } from './platform';

/** Why an object version is not triggered for: skipped on purpose, or too old to act on. */
export type Skip =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'expired'; readonly reason: string };

export interface ScreenOptions {
  /** Replays pass false: a dead letter is old by nature. */
  readonly checkAge?: boolean;
  /** Who delivered: without MAX_EVENT_AGE_SECONDS, its retention is the age limit. */
  readonly platform?: Platform | undefined;
}

export type Screen = (
  event: ObjectEvent,
  nowMs: number,
  options?: ScreenOptions,
) => Skip | undefined;

/**
 * The age limit and how the line names it: MAX_EVENT_AGE_SECONDS when set (0: none), else the
 * retention of the platform that delivered (issue 16: the platform's own window, 24 h on Eventarc
 * and 7 days on 1st gen), else none (the trigger tool).
 */
function ageLimit(
  maxEventAgeSeconds: number | null,
  platform: Platform | undefined,
): { readonly seconds: number; readonly named: string } {
  if (maxEventAgeSeconds !== null)
    return { seconds: maxEventAgeSeconds, named: `MAX_EVENT_AGE_SECONDS=${maxEventAgeSeconds}` };
  if (platform === undefined) return { seconds: 0, named: '' };
  const { retentionSeconds, name } = platform;
  return { seconds: retentionSeconds, named: `the ${retentionSeconds} s ${name} keeps an event` };
}

/** Compiles INCLUDE/EXCLUDE once per instance; the returned check is pure. */
export function createScreen(
  config: Pick<Config, 'include' | 'exclude' | 'defaultExclude' | 'maxEventAgeSeconds'>,
): Screen {
  const include = compileGlobs(config.include);
  const exclude = compileGlobs(config.exclude);
  const temporaries = config.defaultExclude.map((glob) => [glob, compileGlobs([glob])] as const);
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
    const limit = ageLimit(config.maxEventAgeSeconds, options.platform);
    // An event without a readable time cannot be aged; acting on it beats dropping it.
    if (
      (options.checkAge ?? true) &&
      limit.seconds > 0 &&
      !Number.isNaN(time) &&
      nowMs - time > limit.seconds * 1000
    ) {
      const age = Math.round((nowMs - time) / 1000);
      return { kind: 'expired', reason: `the event is ${age} s old, over ${limit.named}` };
    }
    return undefined;
  };
}
