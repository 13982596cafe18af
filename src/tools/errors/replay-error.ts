import { CodedError } from '../../basics/errors/coded-error';

/**
 * `replay` could not start on the records: the listing failed (no such bucket, no permission, no
 * answer). The message names the `gs://` location and what Cloud Storage said; per-record failures
 * are never thrown, they end in the report.
 */
export class ReplayError extends CodedError {
  override name = 'ReplayError';
  readonly code = 'REPLAY';
}
