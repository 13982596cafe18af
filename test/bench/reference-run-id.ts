/**
 * The reference function's DAG run id: the object version, joined, with none of the product's
 * screening or hashing (the bench's object names are plain ASCII; only `/` must go, which Airflow's
 * run id pattern refuses). Shared by the reference and
 * the bench's check that every 2xx answer made its DAG run.
 */
export function referenceRunId(bucket: string, name: string, generation: string): string {
  return `gcs__${bucket}~${name.replaceAll('/', '~')}~${generation}`;
}
