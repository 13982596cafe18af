/**
 * Airflow credentials kept in Secret Manager and mounted into the function as files (issue 19,
 * item 3): the settings file's `secrets:` names the secret behind each `_FILE` setting, the deploy
 * mounts it and sets the setting to the file's path, and deploy/iam.sh lets the function's account
 * read exactly those secrets.
 *
 * Mounted, not passed as environment variables, so a rotated secret reaches running instances:
 * "If you reference a secret as a volume, your function accesses the secret value from Secret
 * Manager each time the file is read from disk … Environment variable values are resolved at
 * instance startup time" (https://cloud.google.com/functions/1stgendocs/configuring/secrets), and
 * Cloud Run: "When reading a volume, Cloud Run always fetches the secret value from the Secret
 * Manager to use the value with the latest version" (https://cloud.google.com/run/docs/configuring/secrets).
 * The function reads the file again whenever it needs the credential anew, so `latest` is mounted.
 *
 * The flag, as gcloud 528 parses it:
 * - `gcloud functions deploy --set-secrets` (both generations): a key starting with "/" is a file,
 *   `/mount_path/file=SECRET:VERSION` or `/mount_path:/file=…`, anything else an environment
 *   variable (command_lib/functions/secrets_config.py: _SECRET_PATH_PATTERN, _CanonicalizePath);
 *   a mount path holds one secret only (_ValidateSecrets), hence one folder per secret below.
 * - `gcloud run deploy --set-secrets`: "Keys starting with a forward slash '/' are mount paths. All
 *   other keys correspond to environment variables … '/secrets/api/key=mysecret:latest' will mount
 *   a volume at '/secrets/api' containing a file 'key'" (command_lib/run/flags.py SecretsFlags).
 * Both take `projects/P/secrets/NAME:VERSION` for a secret of another project.
 */
import * as v from 'valibot';

/** The function's settings that name a credential file (DESIGN.md), and the clear ones they replace. */
export const SECRET_FILE_SETTINGS = ['AIRFLOW_PASSWORD_FILE', 'AIRFLOW_TOKEN_FILE'] as const;
export type SecretFileSetting = (typeof SECRET_FILE_SETTINGS)[number];
export const CLEAR_CREDENTIALS = ['AIRFLOW_PASSWORD', 'AIRFLOW_TOKEN'] as const;

// Secret ids: letters, digits, "_" and "-", at most 255 (Secret Manager's SecretId).
const SECRET_REF =
  /^(?:projects\/([a-z][a-z0-9-]{4,28}[a-z0-9]|\d+)\/secrets\/)?([A-Za-z0-9_-]{1,255})$/;
const REF_MESSAGE =
  'must be a Secret Manager secret: NAME (this project) or projects/P/secrets/NAME';

/** `secrets:` in the settings file: `{AIRFLOW_PASSWORD_FILE: NAME}`, only those keys. */
export const SECRETS_ENTRY = v.pipe(
  v.record(
    v.picklist(
      SECRET_FILE_SETTINGS,
      `must be one of ${SECRET_FILE_SETTINGS.join(', ')} (the setting the mounted file's path goes to)`,
    ),
    v.pipe(v.string(REF_MESSAGE), v.regex(SECRET_REF, REF_MESSAGE)),
    'must be a map of settings to secrets, e.g. {AIRFLOW_PASSWORD_FILE: airflow-password}',
  ),
);

export interface MountedSecret {
  /** The function's setting that gets the file's path. */
  readonly setting: SecretFileSetting;
  /** The secret's project (the settings' own unless the reference names another). */
  readonly project: string;
  readonly secret: string;
  /** Where the file is mounted: a folder of its own (one secret per mount path). */
  readonly path: string;
}

/** AIRFLOW_PASSWORD_FILE → /etc/secrets/airflow-password/value. */
export const mountPath = (setting: SecretFileSetting): string =>
  `/etc/secrets/${setting
    .replace(/_FILE$/, '')
    .toLowerCase()
    .replace(/_/g, '-')}/value`;

/** The mounts `secrets:` asks for; its keys were checked by the schema. */
export function mountedSecrets(
  given: Readonly<Record<string, string>> | undefined,
  project: string,
): MountedSecret[] {
  return Object.entries(given ?? {}).flatMap(([setting, ref]) => {
    const match = SECRET_REF.exec(ref);
    if (match === null || !(SECRET_FILE_SETTINGS as readonly string[]).includes(setting)) return [];
    const key = setting as SecretFileSetting;
    return [
      { setting: key, project: match[1] ?? project, secret: match[2] ?? ref, path: mountPath(key) },
    ];
  });
}

/** A setting named both in env: and in secrets: would be deployed twice, differently. */
export function secretProblems(
  mounts: readonly MountedSecret[],
  env: Readonly<Record<string, string>>,
): string[] {
  return mounts
    .filter((m) => Object.hasOwn(env, m.setting))
    .map(
      (m) =>
        `env.${m.setting} and secrets.${m.setting}: keep it in secrets: only, which mounts ` +
        `the secret and sets ${m.setting} to ${m.path}`,
    );
}

/** The env: keys that hold a credential in clear (named only: never their values). */
export const clearCredentials = (env: Readonly<Record<string, string>>): string[] =>
  CLEAR_CREDENTIALS.filter((name) => (env[name] ?? '').trim() !== '');

/**
 * Why a real deploy refuses them: `--env-vars-file` makes them plain environment variables, shown
 * to anyone who may view the function's configuration (run.services.get) and in its revisions.
 */
export function clearCredentialLine(names: readonly string[]): string {
  const files = names.map((n) => `${n}_FILE: SECRET`).join(', ');
  return (
    `env.${names.join(', env.')} would be deployed in clear, readable by anyone who may view the ` +
    `function's configuration: put the value in Secret Manager and name it under secrets: ` +
    `(secrets: {${files}}); deploy/iam.sh then lets the function read exactly that secret`
  );
}

/** `--set-secrets=/etc/secrets/airflow-password/value=NAME:latest,…`, the same on every path. */
export function secretFlags(mounts: readonly MountedSecret[], project: string): string[] {
  if (mounts.length === 0) return [];
  const refs = mounts.map((m) => {
    const secret = m.project === project ? m.secret : `projects/${m.project}/secrets/${m.secret}`;
    return `${m.path}=${secret}:latest`;
  });
  return [`--set-secrets=${refs.join(',')}`];
}
