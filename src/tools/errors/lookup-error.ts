import { CodedError } from '../../basics/errors/coded-error';

/**
 * `trigger` could not read the object version it was asked to trigger for and cannot go on: the
 * version does not exist (404), or it could not be read and no generation was given. The
 * message names the object and what to do.
 */
export class LookupError extends CodedError {
  override name = 'LookupError';
  readonly code = 'LOOKUP';
}
