/** The pieces a parsed glob is made of (parse.ts, fastpath.ts), which machine.ts runs. */

/** An assertion about the name at the current position (zero width). */
export type Check =
  /** Not at the end of the name: picomatch's `(?=.)`. */
  | 'notEnd'
  /** The folder name starting here is not `.` or `..`: picomatch's `(?!\.{1,2}(?:\/|$))`. */
  | 'noDotSegmentHere'
  /** Same, for the folder name starting one character back (the `.` of `.*`). */
  | 'noDotSegmentBack'
  /** picomatch's `(?!(?:^|\/)\.{1,2}(?:\/|$))` where it stands at the start of the name. */
  | 'noDotsAtStart'
  | 'atEnd';

export type Node =
  /** One character; `code` when it is one literal character (for the machine's prefix check). */
  | { readonly kind: 'char'; readonly test: (code: number) => boolean; readonly code?: number }
  | { readonly kind: 'check'; readonly check: Check }
  /** `[^/]*` */
  | { readonly kind: 'star' }
  /** Any characters, `/` included, that hold no `.` or `..` folder name: picomatch's `**`. */
  | { readonly kind: 'any' }
  /** Alternatives (braces, extglobs, parentheses), each repeated as `repeat` says. */
  | {
      readonly kind: 'group';
      readonly alternatives: readonly (readonly Node[])[];
      readonly repeat: 'one' | 'optional' | 'some' | 'any';
    };

export interface ParsedGlob {
  /** An odd number of leading `!`: the glob matches the names its body does not. */
  readonly negated: boolean;
  readonly body: readonly Node[];
}

/** One UTF-16 code unit, as picomatch's regular expressions (no `u` flag) read names. */
export const literal = (c: number): Node => ({
  kind: 'char',
  test: (code) => code === c,
  code: c,
});
