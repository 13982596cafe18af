/**
 * Object names built to make a backtracking glob matcher take minutes (issue 17, item 1): a long
 * run of the character the stars are split on, with an ending that fails only at the last moment.
 * Cloud Storage names are at most 1,024 bytes, and anyone who may upload chooses them.
 */
export const NAME_MAX = 1024;

export interface AdversarialCase {
  readonly glob: string;
  readonly name: string;
}

const fill = (prefix: string, ch: string, suffix: string): string =>
  prefix + ch.repeat(NAME_MAX - prefix.length - suffix.length) + suffix;

export const ADVERSARIAL: readonly AdversarialCase[] = [
  // The cases, at the longest name: 16.4 s, 39.7 s, 23.8 s at 1,000 characters, and
  // 12.7 s for five stars at 300.
  { glob: 'incoming/*_*_*_*.csv', name: fill('incoming/', '_', '.tx') },
  { glob: '*_*_*_*.csv', name: fill('', '_', '.tx') },
  { glob: '**/*-*-*-*.parquet', name: fill('', '-', '.parque') },
  { glob: '*_*_*_*_*.csv', name: fill('', '_', '.tx') },
  // Many folders for `**`, and a glob with many stars.
  { glob: '**/*_*_*_*.csv', name: fill('', '_/', '.tx').slice(0, NAME_MAX) },
  { glob: 'a*a*a*a*a*a*a*a*a*a*b', name: fill('', 'a', '') },
  { glob: '*.{csv,json,parquet}', name: fill('', '.', 'x') },
];
