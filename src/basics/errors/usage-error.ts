import { CodedError } from './coded-error';

/**
 * A command-line tool was started with arguments or a settings file it cannot work with. The
 * message is one line naming the option or setting and what it allows; `main` prints it and exits 2.
 */
export class UsageError extends CodedError {
  override name = 'UsageError';
  readonly code = 'USAGE';
}
