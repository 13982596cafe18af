/**
 * One HTTP request to a loopback fake, its answer parsed as JSON: for tests that check what a fake
 * answers (the fake Airflow's asset endpoints). A 5 s deadline so a fake that never answers fails
 * the test instead of hanging it.
 */
export interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

export async function callJson(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** The `key` list of a JSON collection answer (`datasets`, `asset_events`, …). */
export function items(answer: JsonAnswer, key: string): Record<string, unknown>[] {
  const body = answer.body as Record<string, unknown> | undefined;
  const list = body?.[key];
  if (!Array.isArray(list)) throw new Error(`no ${key} list in ${JSON.stringify(answer.body)}`);
  return list as Record<string, unknown>[];
}

export const total = (answer: JsonAnswer): unknown =>
  (answer.body as Record<string, unknown> | undefined)?.['total_entries'];
