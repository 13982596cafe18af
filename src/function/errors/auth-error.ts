import { CodedError } from '../../basics/errors/coded-error';

/**
 * google-auth-library could not produce a token. `transient` tells whether trying again later can
 * help (metadata server unreachable or 5xx) or whether the environment must be fixed first.
 * The message carries the library's message, which names the token URL, never a token.
 */
export class AuthError extends CodedError {
  override name = 'AuthError';
  readonly code = 'AUTH';

  constructor(
    message: string,
    readonly transient: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
