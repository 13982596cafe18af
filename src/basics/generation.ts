/**
 * A Cloud Storage object generation, in one place for the function (event.ts), `replay` (through
 * the function's own parsing) and `trigger` (object-ref.ts), issue 17 item 2: the run id is made
 * from the generation's digits, so two spellings of one version would be two runs. Cloud Storage
 * writes a generation as an int64 in decimal ("generation": "1764057600000001", a string in the
 * JSON API's objects resource; the 1st gen event carries the same), numbered from 1: it never
 * writes leading zeros, so `0001764057600000001` is refused, not normalized, wherever it comes from.
 * Up to 20 digits, as the run id has always allowed.
 */
const CANONICAL = /^[1-9]\d{0,19}$/;

/**
 * Why `digits` is not a generation as Cloud Storage writes one, as the end of a sentence about it
 * (`… is not a generation …`), or undefined when it is one.
 */
export function generationProblem(digits: string): string | undefined {
  if (!/^\d{1,20}$/.test(digits)) return 'is not a generation (1 to 20 digits)';
  if (/^0+$/.test(digits)) return 'names no object version: Cloud Storage numbers them from 1';
  if (!CANONICAL.test(digits)) {
    const plain = digits.replace(/^0+/, '');
    return `has leading zeros, which would make another run id than the event's: write ${plain}`;
  }
  return undefined;
}

/**
 * A generation as it may arrive in an event (a string of digits, or a JSON number), as the digits
 * the run id is made from; or why it is none, as `generationProblem` says it.
 */
export function canonicalGeneration(
  value: unknown,
):
  | { readonly ok: true; readonly generation: string }
  | { readonly ok: false; readonly problem: string } {
  const digits =
    typeof value === 'string'
      ? value
      : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
        ? String(value)
        : undefined;
  if (digits === undefined) return { ok: false, problem: 'is not a whole number' };
  const problem = generationProblem(digits);
  return problem === undefined ? { ok: true, generation: digits } : { ok: false, problem };
}
