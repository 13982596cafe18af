/**
 * The body of "create an asset event", checked as each Airflow checks it.
 *
 * Airflow 2.10, `POST /api/v1/datasets/events` (create_dataset_event in
 * airflow/api_connexion/endpoints/dataset_endpoint.py): connexion first checks the body against
 * CreateDatasetEvent (an object, `dataset_uri` a required string, `extra` an object or null), then
 * marshmallow's CreateDatasetEventSchema refuses unknown keys and a null `extra`, with
 * `BadRequest(detail=str(err))`: a Python dict of messages. Every refusal is a 400 problem.
 * Airflow 3, `POST /api/v2/assets/events`: pydantic's CreateAssetEventsBody (extra="forbid"):
 * `asset_id` int (a string of digits is taken, as pydantic's lax mode does), `extra` a dict,
 * `partition_key` a string or null; every problem in one 422 list.
 */
import type { Answer } from './airflow-api';
import { v1BadRequest } from './airflow-assets-query';

type Json = Record<string, unknown>;

export interface V1EventInput {
  readonly uri: string;
  readonly extra: Json;
}

export interface V2EventInput {
  readonly assetId: number;
  readonly extra: Json;
  readonly partitionKey: string | null;
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Python's repr of a JSON value, as jsonschema and marshmallow messages show it. */
function repr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true || value === false) return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(repr).join(', ')}]`;
  if (isObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${repr(k)}: ${repr(v)}`)
      .join(', ')}}`;
  return typeof value === 'number' ? String(value) : 'None';
}

function parseJson(body: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(body) as unknown };
  } catch {
    return undefined;
  }
}

/** connexion's check against the CreateDatasetEvent schema: the first problem, or undefined. */
function v1SchemaProblem(value: unknown): string | undefined {
  if (!isObject(value)) return `${repr(value)} is not of type 'object'`;
  if (!('dataset_uri' in value)) return "'dataset_uri' is a required property";
  if (typeof value['dataset_uri'] !== 'string')
    return `${repr(value['dataset_uri'])} is not of type 'string'`;
  const extra = value['extra'];
  if (extra !== undefined && extra !== null && !isObject(extra))
    return `${repr(extra)} is not of type 'object'`;
  return undefined;
}

export function parseV1Event(body: string): V1EventInput | Answer {
  const parsed = parseJson(body);
  if (parsed === undefined) return v1BadRequest('Request body is not valid JSON');
  const problem = v1SchemaProblem(parsed.value);
  if (problem !== undefined) return v1BadRequest(problem);
  const value = parsed.value as Json;
  const errors: Record<string, string[]> = {};
  if (value['extra'] === null) errors['extra'] = ['Field may not be null.'];
  for (const key of Object.keys(value)) {
    if (key !== 'dataset_uri' && key !== 'extra') errors[key] = ['Unknown field.'];
  }
  if (Object.keys(errors).length > 0) return v1BadRequest(repr(errors));
  const extra = value['extra'];
  return { uri: value['dataset_uri'] as string, extra: isObject(extra) ? extra : {} };
}

type Detail = Record<string, unknown>;

const error = (
  loc: readonly (string | number)[],
  type: string,
  msg: string,
  input: unknown,
): Detail => ({
  type,
  loc,
  msg,
  input,
});

function assetIdErrors(value: Json): Detail[] {
  const id = value['asset_id'];
  const at = ['body', 'asset_id'];
  if (!('asset_id' in value)) return [error(at, 'missing', 'Field required', value)];
  if (typeof id === 'number' && Number.isInteger(id)) return [];
  if (typeof id === 'string' && /^\s*[+-]?\d+\s*$/.test(id)) return [];
  if (typeof id === 'number') {
    const msg = 'Input should be a valid integer, got a number with a fractional part';
    return [error(at, 'int_from_float', msg, id)];
  }
  if (typeof id === 'string') {
    const msg = 'Input should be a valid integer, unable to parse string as an integer';
    return [error(at, 'int_parsing', msg, id)];
  }
  return [error(at, 'int_type', 'Input should be a valid integer', id)];
}

function v2Errors(value: Json): Detail[] {
  const extra = value['extra'];
  const key = value['partition_key'];
  return [
    ...assetIdErrors(value),
    ...(extra !== undefined && !isObject(extra)
      ? [error(['body', 'extra'], 'dict_type', 'Input should be a valid dictionary', extra)]
      : []),
    ...(key !== undefined && key !== null && typeof key !== 'string'
      ? [error(['body', 'partition_key'], 'string_type', 'Input should be a valid string', key)]
      : []),
    ...Object.keys(value)
      .filter((k) => !['asset_id', 'extra', 'partition_key'].includes(k))
      .map((k) =>
        error(['body', k], 'extra_forbidden', 'Extra inputs are not permitted', value[k]),
      ),
  ];
}

export function parseV2Event(body: string): V2EventInput | Answer {
  const parsed = parseJson(body);
  if (parsed === undefined) {
    const detail = [
      {
        ...error(['body', 0], 'json_invalid', 'JSON decode error', {}),
        ctx: { error: 'Expecting value' },
      },
    ];
    return { status: 422, body: { detail } };
  }
  const value = parsed.value;
  if (!isObject(value)) {
    const msg = 'Input should be a valid dictionary or object to extract fields from';
    return {
      status: 422,
      body: { detail: [error(['body'], 'model_attributes_type', msg, value)] },
    };
  }
  const detail = v2Errors(value);
  if (detail.length > 0) return { status: 422, body: { detail } };
  const extra = value['extra'];
  const key = value['partition_key'];
  return {
    assetId: Number(String(value['asset_id']).trim()),
    extra: isObject(extra) ? extra : {},
    partitionKey: typeof key === 'string' ? key : null,
  };
}
