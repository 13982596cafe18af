/** A setting from the environment has a value the function cannot run with. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'CONFIG';

  /** @param problems one entry per variable: `NAME must be … (got "…")` */
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}
