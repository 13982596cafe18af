/**
 * A delivery could not be completed within this invocation and must be redelivered by the
 * platform (deploy enables `--retry`). Thrown only for transient causes; the message says what was
 * tried, never a token or a header.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  readonly code = 'REDELIVER';
}
