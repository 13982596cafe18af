/**
 * Checks a request we build against an official Airflow OpenAPI spec (../shared/data/airflow):
 * the operation exists, every query parameter is declared for it with a value of its type, and
 * the JSON body has the schema's required keys, only its properties, each of its type. A small
 * reader of the parts of OpenAPI 3 these specs use ($ref, allOf, nullable), not a validator.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { HttpRequest } from '../../src/basics/http';

export interface Schema {
  readonly type?: string;
  readonly $ref?: string;
  readonly allOf?: readonly Schema[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly nullable?: boolean;
  readonly readOnly?: boolean;
  readonly items?: Schema;
  readonly format?: string;
}

interface Parameter {
  readonly $ref?: string;
  readonly name: string;
  readonly in: string;
  readonly schema?: Schema;
}

interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { content: Record<string, { schema: Schema }> };
  readonly responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

export interface Spec {
  readonly servers?: readonly { url: string }[];
  readonly paths: Record<string, Record<string, Operation | Parameter[]>>;
  readonly components: {
    schemas: Record<string, Schema>;
    parameters?: Record<string, Parameter>;
  };
}

export const loadSpec = (file: string): Spec => parse(readFileSync(file, 'utf8')) as Spec;

const refName = (ref: string) => ref.split('/').at(-1) ?? '';

/** A schema with its $ref and allOf resolved into one set of properties and required keys. */
export function resolve(spec: Spec, schema: Schema): Schema {
  const direct = schema.$ref === undefined ? schema : spec.components.schemas[refName(schema.$ref)];
  assert.ok(direct, `schema ${schema.$ref ?? ''} exists`);
  const parts = [direct, ...(direct.allOf ?? []).map((s) => resolve(spec, s))];
  return {
    ...direct,
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})) as Record<
      string,
      Schema
    >,
    required: parts.flatMap((p) => p.required ?? []),
  };
}

/** The spec's operation for this request, and its path template. */
export function operationOf(spec: Spec, request: HttpRequest): { op: Operation; path: string } {
  const base = spec.servers?.[0]?.url ?? '';
  const url = new URL(request.url);
  assert.ok(url.pathname.startsWith(base), `${url.pathname} is under the spec's ${base}`);
  const actual = url.pathname.slice(base.length);
  // A literal path wins over a templated one (`/datasets/events` over `/datasets/{uri}`), as
  // Werkzeug and Starlette rank static routes first.
  const templates = Object.entries(spec.paths).sort(
    ([a], [b]) => a.split('{').length - b.split('{').length,
  );
  for (const [template, item] of templates) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const op = item[request.method.toLowerCase()] as Operation | undefined;
    if (pattern.test(actual) && op !== undefined) return { op, path: template };
  }
  assert.fail(`no ${request.method} ${actual} in the spec`);
}

function parameters(spec: Spec, path: string, op: Operation): Parameter[] {
  const shared = (spec.paths[path]?.['parameters'] ?? []) as Parameter[];
  return [...shared, ...(op.parameters ?? [])].map((p) =>
    p.$ref === undefined ? p : (spec.components.parameters?.[refName(p.$ref)] ?? p),
  );
}

function valueFits(value: string, schema: Schema | undefined): boolean {
  const type = schema?.type ?? 'string';
  if (type === 'integer') return /^-?\d+$/.test(value);
  if (type === 'boolean') return value === 'true' || value === 'false';
  if (type === 'array') return valueFits(value, schema?.items);
  return type === 'string';
}

/** Every query parameter is declared for the operation, with a value of its schema's type. */
export function checkQuery(spec: Spec, request: HttpRequest): void {
  const { op, path } = operationOf(spec, request);
  const declared = parameters(spec, path, op).filter((p) => p.in === 'query');
  for (const [name, value] of new URL(request.url).searchParams) {
    const param = declared.find((p) => p.name === name);
    assert.ok(param, `query parameter ${name} is declared for ${request.method} ${path}`);
    assert.ok(valueFits(value, param.schema), `${name}=${value} is a ${param.schema?.type ?? '?'}`);
  }
}

function fits(spec: Spec, value: unknown, schema: Schema): boolean {
  const s = schema.$ref === undefined ? schema : resolve(spec, schema);
  if (value === null) return s.nullable === true;
  switch (s.type) {
    case 'integer':
      return Number.isInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    default:
      return true;
  }
}

/** The JSON body has the required keys, only declared writable properties, each of its type. */
export function checkBody(spec: Spec, request: HttpRequest): Schema {
  const { op, path } = operationOf(spec, request);
  const declared = op.requestBody?.content['application/json']?.schema;
  assert.ok(declared, `${request.method} ${path} takes a JSON body`);
  const schema = resolve(spec, declared);
  const body = JSON.parse(request.body ?? '') as Record<string, unknown>;
  for (const key of schema.required ?? []) assert.ok(key in body, `required ${key} is sent`);
  for (const [key, value] of Object.entries(body)) {
    const prop = schema.properties?.[key];
    assert.ok(prop, `${key} is a property of ${declared.$ref ?? 'the body'}`);
    assert.notEqual(prop.readOnly, true, `${key} is writable`);
    assert.ok(fits(spec, value, prop), `${key} is a ${prop.type ?? '?'}: ${JSON.stringify(value)}`);
  }
  return schema;
}

/** The 200 answer's schema of the request's operation, resolved. */
export function answerSchema(spec: Spec, request: HttpRequest): Schema {
  const { op, path } = operationOf(spec, request);
  const schema = op.responses['200']?.content?.['application/json']?.schema;
  assert.ok(schema, `${request.method} ${path} answers 200 with JSON`);
  return resolve(spec, schema);
}
