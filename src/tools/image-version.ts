import type { AirflowApi } from '../function/config';

/** `composer-1.20.12-airflow-2.4.3`, `composer-2.9.7-airflow-2.9.3`, `composer-3-airflow-2.10.5-build.5`. */
export interface ImageVersion {
  readonly composer: number;
  readonly airflow: number;
}

const IMAGE = /^composer-(\d+)(?:\.[\d.]+)?-airflow-(\d+)(?:[.-]|$)/;

/**
 * Whether the Composer API runs Airflow CLI commands in this environment (AIRFLOW_TRANSPORT=
 * composer-api): from Composer 2.4.0 (gcloud 528: command_lib/composer/flags.py
 * MIN_COMPOSER_RUN_AIRFLOW_CLI_VERSION = '2.4.0', which `composer environments run` checks with
 * image_versions_util.IsVersionAirflowCommandsApiCompatible before it uses the API instead of
 * kubectl). `composer-3-…` has no minor version: every Composer 3 is past it.
 */
export function runsAirflowCommands(text: string): boolean {
  const match = /^composer-(\d+)(?:\.(\d+))?/.exec(text);
  if (match === null) return false;
  const major = Number(match[1]);
  return major > 2 || (major === 2 && Number(match[2] ?? '0') >= 4);
}

export function parseImageVersion(text: string): ImageVersion | undefined {
  const match = IMAGE.exec(text);
  if (!match) return undefined;
  return { composer: Number(match[1]), airflow: Number(match[2]) };
}

/** The AIRFLOW_API an Airflow major version speaks (README, "The request, per API"). */
export function airflowApiFor(airflowMajor: number): AirflowApi {
  if (airflowMajor <= 1) return 'experimental';
  return airflowMajor === 2 ? 'v1' : 'v2';
}
