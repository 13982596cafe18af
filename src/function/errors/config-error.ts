import { CodedError } from '../../basics/errors/coded-error';

/** A setting from the environment has a value the function cannot run with. */
export class ConfigError extends CodedError {
  override name = 'ConfigError';
  readonly code = 'CONFIG';

  /** @param problems one entry per variable: `NAME must be … (got "…")` */
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}
