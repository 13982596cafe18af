import { CodedError } from '../../basics/errors/coded-error';
import { hideSecrets } from '../../basics/secret-text';

/**
 * A setting from the environment has a value the function cannot run with. Every problem is passed
 * through hideSecrets here, the one place all of them pass (issue 17, item 3): a value quoted in a
 * problem, or a parser's message echoing ROUTES, may hold a credential, and the line goes to Cloud
 * Logging, a terminal or a deploy log.
 */
export class ConfigError extends CodedError {
  override name = 'ConfigError';
  readonly code = 'CONFIG';

  /** One entry per variable, secrets blanked. */
  readonly problems: readonly string[];

  /** @param problems one entry per variable: `NAME must be … (got "…")` */
  constructor(problems: readonly string[]) {
    const safe = problems.map(hideSecrets);
    super(`Invalid configuration: ${safe.join('; ')}`);
    this.problems = safe;
  }
}
