/**
 * What the tools say when Google credentials are missing or refused, in one place: every tool
 * runs on a person's machine, where Application Default Credentials come from gcloud or a key
 * file, never from a metadata server.
 */

/** What to do when no credentials were found or Google refused them. */
export const ADC_HINT =
  'run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a key file';

/**
 * Whether a failure's text says the credentials are missing: google-auth-library's own words
 * when it finds none, or Cloud Storage's 401 for a request sent without any (the storage library
 * sends one anonymously when it finds none, rather than failing).
 */
export function lacksCredentials(text: string): boolean {
  return /Could not load the default credentials|Anonymous caller/i.test(text);
}

/** `text`, followed by the hint when it says the credentials are missing. */
export function withCredentialsHint(text: string): string {
  return lacksCredentials(text) ? `${text}; no Google credentials here: ${ADC_HINT}` : text;
}

/**
 * What to do when Cloud Storage refused a request on `bucket`, by the answer's HTTP status;
 * undefined when there is nothing better to say than the answer itself. `role`: the least role
 * that allows what the tool does there.
 */
export function storageAdvice(
  status: number | undefined,
  bucket: string,
  role: string,
): string | undefined {
  if (status === 401) return `Cloud Storage did not accept the credentials: ${ADC_HINT}`;
  if (status === 403) return `your account needs ${role} on gs://${bucket}`;
  if (status === 404) return `no bucket gs://${bucket}: check its name`;
  return undefined;
}
