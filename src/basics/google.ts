/** Google facts more than one part relies on, each stated once. */

/** The OAuth scope of a Google access token for Google APIs and Composer 2/3 web servers. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** An OAuth client id, as IAP's is (IAP_CLIENT_ID, get-client-id). */
const OAUTH_CLIENT_ID = /^[A-Za-z0-9-]+\.apps\.googleusercontent\.com$/;

export const isOAuthClientId = (text: string): boolean => OAUTH_CLIENT_ID.test(text);
