import type { AirflowApi } from '../function/config';

/** `composer-1.20.12-airflow-2.4.3`, `composer-2.9.7-airflow-2.9.3`, `composer-3-airflow-2.10.5-build.5`. */
export interface ImageVersion {
  readonly composer: number;
  readonly airflow: number;
}

const IMAGE = /^composer-(\d+)(?:\.[\d.]+)?-airflow-(\d+)(?:[.-]|$)/;

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
