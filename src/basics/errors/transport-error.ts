import { CodedError } from './coded-error';

/**
 * No HTTP response arrived: connection refused or reset, DNS failure, or the request timed out.
 * The message names the request (`POST https://…/dagRuns`) and the socket error, never headers.
 */
export class TransportError extends CodedError {
  override name = 'TransportError';
  readonly code = 'TRANSPORT';

  constructor(
    readonly operation: string,
    /** Node's error code (`ECONNRESET`, `ECONNREFUSED`, `ENOTFOUND`, …) or `TIMEOUT`. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${operation} failed: ${reason}`, options);
  }
}
