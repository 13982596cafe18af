import { CodedError } from '../../basics/errors/coded-error';

/**
 * The Airflow web server did not lead to an IAP client id: no redirect to a sign-in page, or a
 * redirect without `client_id`. The message names the URL and what it answered.
 */
export class ClientIdError extends CodedError {
  override name = 'ClientIdError';
  readonly code = 'CLIENT_ID';
}
