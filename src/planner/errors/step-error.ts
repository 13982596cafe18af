import { CodedError } from '../../basics/errors/coded-error';

/** A command of a deploy plan (`gcloud …`) failed; the steps after it were not run. */
export class StepError extends CodedError {
  override name = 'StepError';
  readonly code = 'STEP';

  constructor(
    message: string,
    /** The command's exit code, or null when it could not be started or was killed. */
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}
