import { CodedError } from '../../basics/errors/coded-error';

/**
 * The Cloud Composer API would not describe the environment (no credentials, 403, 404, no answer).
 * The message names the environment and what to fix; never a token.
 */
export class ComposerApiError extends CodedError {
  override name = 'ComposerApiError';
  readonly code = 'COMPOSER_API';

  constructor(
    message: string,
    /** The API's HTTP status, or null when no answer came. */
    readonly status: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
