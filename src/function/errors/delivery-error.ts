import { CodedError } from '../../basics/errors/coded-error';

/**
 * A delivery could not be completed within this invocation and must be redelivered by the
 * platform (deploy enables `--retry`). Thrown only for transient causes. `reason` says what was
 * tried and what failed, never a token or a header; the message adds what happens next, for the
 * function's log line.
 */
export class DeliveryError extends CodedError {
  override name = 'DeliveryError';
  readonly code = 'REDELIVER';

  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${reason}; the platform will redeliver`, options);
  }
}
