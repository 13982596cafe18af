/**
 * The base of this project's errors (ky's `KyError`): a fixed `code` that callers and tests
 * branch on, a message for people that names what failed and what to do, the original error in
 * `cause`. The command-line tools map codes to exit statuses in one place (tools/cli.ts).
 */
export abstract class CodedError extends Error {
  abstract readonly code: string;
}
