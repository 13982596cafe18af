// Characters that never need quoting in bash.
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Single-quotes `text` for bash unless it is plain. */
export function shellQuote(text: string): string {
  if (PLAIN.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
