/**
 * Query parameters of the asset list endpoints, read as each Airflow reads them.
 *
 * Airflow 2.10 (connexion + airflow/api_connexion/parameters.py): a value of the wrong type is a
 * 400 problem; `check_limit` caps `limit` at `[api] maximum_page_limit` (100), turns 0 into the
 * fallback page limit (100) and refuses a negative one; `apply_sorting` orders by one attribute.
 * Airflow 3 (FastAPI, airflow-core/src/airflow/api_fastapi/common/parameters.py): a bad value is a
 * 422 listing every bad parameter; LimitFilter caps `limit` at maximum_page_limit (0 stays 0);
 * SortParam takes several `order_by`, puts nulls last and breaks ties by the primary key.
 * Both search with SQL `ILIKE '%pattern%'`; Airflow 3 also reads `~` as `%` and splits on `|`.
 */
import type { Answer } from './airflow-api';

export const MAX_PAGE_LIMIT = 100;

type Detail = Record<string, unknown>;

// The problem `type` follows the status, not the title (EXCEPTIONS_LINK_MAP in
// airflow/api_connexion/exceptions.py; the real link names the Airflow version, not "stable").
const ERRORS: Record<number, string> = { 400: 'BadRequest', 404: 'NotFound' };

function problem(status: number, title: string, detail: string): Answer {
  const type = `https://airflow.apache.org/docs/apache-airflow/stable/stable-rest-api-ref.html#section/Errors/${ERRORS[status] ?? 'Unknown'}`;
  return { status, body: { detail, status, title, type } };
}

export const v1BadRequest = (detail: string): Answer => problem(400, 'Bad Request', detail);
export const v1NotFound = (title: string, detail: string): Answer => problem(404, title, detail);

/**
 * Which database's LIKE the fake's metadata database has. Airflow builds `ILIKE '%…%'` with
 * SQLAlchemy's `ilike()` and no ESCAPE clause, so the database's default decides: PostgreSQL
 * (ILIKE) and MySQL (`lower(x) LIKE lower(y)`) take a backslash as the escape, so `\_` is a
 * literal `_`, and a pattern ending in a lone backslash is an error (Airflow answers 500);
 * SQLite's LIKE has no escape character, so a backslash is a literal.
 */
export type LikeDialect = 'postgresql' | 'sqlite';

/** A pattern the database refuses (PostgreSQL: "LIKE pattern must not end with escape character"). */
export class LikeError extends Error {}

/** The whole value matches SQL `ILIKE '%pattern%'`: `%` any run, `_` one character. */
export function ilike(
  pattern: string,
  dialect: LikeDialect = 'postgresql',
): (value: string) => boolean {
  // Code points, as SQL's `_` takes one character (not a UTF-16 unit).
  const chars = Array.from(pattern);
  let source = '';
  for (let i = 0; i < chars.length; i += 1) {
    const ch = chars[i] ?? '';
    if (ch === '\\' && dialect === 'postgresql') {
      const next = chars[(i += 1)];
      if (next === undefined)
        throw new LikeError('LIKE pattern must not end with escape character');
      source += literal(next);
    } else source += ch === '%' ? '.*' : ch === '_' ? '.' : literal(ch);
  }
  const re = new RegExp(`^.*${source}.*$`, 'isu');
  return (value) => re.test(value);
}

const literal = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Airflow 3's _SearchParam: `~` means everything; `a | b` is either (Airflow 3.2). */
export function v2Search(
  pattern: string,
  dialect: LikeDialect = 'postgresql',
): (value: string) => boolean {
  const value = pattern === '~' ? '%' : pattern;
  const terms = value
    .split('|')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (!value.includes('|') || terms.length < 2) return ilike(value, dialect);
  const matchers = terms.map((t) => ilike(t, dialect));
  return (v) => matchers.some((m) => m(v));
}

/** connexion's type check of an integer query parameter; undefined when absent. */
export function v1Int(
  query: URLSearchParams,
  name: string,
  min?: number,
): number | undefined | Answer {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) {
    return v1BadRequest(`Wrong type, expected 'integer' for query parameter '${name}'`);
  }
  const n = Number(raw);
  if (min !== undefined && n < min) return v1BadRequest(`${n} is less than the minimum of ${min}`);
  return n;
}

export interface Page {
  readonly limit: number;
  readonly offset: number;
}

/** `limit` (check_limit) and `offset` of an Airflow 2 list. */
export function v1Page(query: URLSearchParams): Page | Answer {
  const limit = v1Int(query, 'limit');
  if (typeof limit === 'object') return limit;
  const offset = v1Int(query, 'offset', 0);
  if (typeof offset === 'object') return offset;
  if (limit !== undefined && limit < 0)
    return v1BadRequest('Page limit must be a positive integer');
  const capped = limit === undefined || limit === 0 ? 100 : Math.min(limit, MAX_PAGE_LIMIT);
  return { limit: capped, offset: offset ?? 0 };
}

/** Collects Airflow 3's query validation errors; `answer` is the 422 when there is one. */
export class V2Query {
  private readonly errors: Detail[] = [];
  constructor(private readonly query: URLSearchParams) {}

  private fail(name: string, type: string, msg: string, input: string, ctx?: Detail): void {
    this.errors.push({ type, loc: ['query', name], msg, input, ...(ctx && { ctx }) });
  }

  int(name: string, min?: number): number | undefined {
    const raw = this.query.get(name);
    if (raw === null) return undefined;
    if (!/^[+-]?\d+$/.test(raw.trim())) {
      const msg = 'Input should be a valid integer, unable to parse string as an integer';
      this.fail(name, 'int_parsing', msg, raw);
      return undefined;
    }
    const n = Number(raw.trim());
    if (min !== undefined && n < min) {
      const msg = `Input should be greater than or equal to ${min}`;
      this.fail(name, 'greater_than_equal', msg, raw, { ge: min });
      return undefined;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.query.get(name);
    if (raw === null) return fallback;
    const v = raw.trim().toLowerCase();
    if (['1', 'on', 't', 'true', 'y', 'yes'].includes(v)) return true;
    if (['0', 'off', 'f', 'false', 'n', 'no'].includes(v)) return false;
    const msg = 'Input should be a valid boolean, unable to interpret input';
    this.fail(name, 'bool_parsing', msg, raw);
    return fallback;
  }

  /** A date-time as µs since the epoch (no zone read as UTC). */
  micros(name: string): number | undefined {
    const raw = this.query.get(name);
    if (raw === null) return undefined;
    const m =
      /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
        raw.trim(),
      );
    const ms = m ? Date.parse(`${m[1] ?? ''}T${m[2] ?? '00:00:00'}${m[4] ?? 'Z'}`) : NaN;
    if (m === null || Number.isNaN(ms)) {
      const msg = 'Input should be a valid datetime or date';
      this.fail(name, 'datetime_from_date_parsing', msg, raw);
      return undefined;
    }
    return ms * 1000 + Number((m[3] ?? '').padEnd(6, '0'));
  }

  page(): Page {
    const limit = this.int('limit', 0) ?? 50;
    return { limit: Math.min(limit, MAX_PAGE_LIMIT), offset: this.int('offset', 0) ?? 0 };
  }

  get answer(): Answer | undefined {
    return this.errors.length === 0 ? undefined : { status: 422, body: { detail: this.errors } };
  }
}

type Value = number | string | null;

export const orderProblem = (attr: string): string =>
  `Ordering with '${attr}' is disallowed or the attribute does not exist on the model`;

/** The first attribute of `orderBy` that may not be used, or undefined. */
export function badOrder(
  orderBy: readonly string[],
  allowed: readonly string[],
): string | undefined {
  return orderBy.map((o) => o.replace(/^-+/, '')).find((attr) => !allowed.includes(attr));
}

const compare = (a: Value, b: Value): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/** Airflow 3's SortParam: per attribute nulls last then the value, then the primary key. */
export function v2Sort<T>(
  items: T[],
  orderBy: readonly string[],
  value: (item: T, attr: string) => Value,
  pk: (item: T) => number,
): T[] {
  const descending = orderBy[0]?.startsWith('-') === true;
  return [...items].sort((a, b) => {
    for (const order of orderBy) {
      const attr = order.replace(/^-+/, '');
      const [x, y] = [value(a, attr), value(b, attr)];
      const nulls = Number(x === null) - Number(y === null);
      if (nulls !== 0) return nulls;
      const c = compare(x, y);
      if (c !== 0) return order.startsWith('-') ? -c : c;
    }
    return descending ? pk(b) - pk(a) : pk(a) - pk(b);
  });
}

/** Airflow 2's apply_sorting: one attribute, `-` for descending; ties keep the table's order. */
export function v1Sort<T>(items: T[], order: string, value: (item: T, attr: string) => Value): T[] {
  const attr = order.replace(/^-+/, '');
  const sign = order.startsWith('-') ? -1 : 1;
  return [...items].sort((a, b) => sign * compare(value(a, attr), value(b, attr)));
}
