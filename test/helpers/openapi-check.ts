/**
 * Checks a JSON answer against an OpenAPI 3 response schema of the official Airflow specs
 * (../shared/data/airflow): every key is a property of its schema (unless the schema allows
 * others), every required key is there, values have the declared type, nulls only where nullable,
 * date-times are RFC 3339. Enough to catch a fake that drifts from the contract; not a full
 * validator (no enums, no bounds).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Schema {
  readonly $ref?: string;
  readonly allOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly type?: string;
  readonly items?: Schema;
  readonly nullable?: boolean;
  readonly format?: string;
  readonly additionalProperties?: boolean | Schema;
}

interface Operation {
  readonly responses: Readonly<
    Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>
  >;
}

export interface Spec {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, Schema>>;
    readonly responses?: Readonly<Record<string, { content?: Record<string, { schema: Schema }> }>>;
  };
}

export const loadSpec = (file: string): Spec => parse(readFileSync(file, 'utf8')) as Spec;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The JSON schema of `path` `method` answering `status`. */
export function responseSchema(spec: Spec, path: string, method: string, status: number): Schema {
  let response = spec.paths[path]?.[method]?.responses[String(status)];
  if (response?.$ref !== undefined) {
    response = spec.components.responses?.[response.$ref.replace('#/components/responses/', '')];
  }
  const schema = response?.content?.['application/json']?.schema;
  if (schema === undefined) throw new Error(`the spec has no JSON ${status} for ${method} ${path}`);
  return schema;
}

/** `schema` with its $ref followed and allOf merged, named for messages. */
function resolve(spec: Spec, schema: Schema, name: string): { schema: Schema; name: string } {
  if (schema.$ref !== undefined) {
    const refName = schema.$ref.replace('#/components/schemas/', '');
    const target = resolve(spec, spec.components.schemas[refName] ?? {}, refName);
    // `$ref` beside `nullable: true` (the normalized v2 spec writes optional objects so).
    const nullable = schema.nullable ?? target.schema.nullable;
    return {
      schema: { ...target.schema, ...(nullable !== undefined && { nullable }) },
      name: refName,
    };
  }
  if (schema.allOf === undefined) return { schema, name };
  const parts = schema.allOf.map((s) => resolve(spec, s, name).schema);
  return {
    name,
    schema: {
      ...schema,
      properties: Object.assign(
        {},
        schema.properties,
        ...parts.map((p) => p.properties ?? {}),
      ) as Record<string, Schema>,
      required: [...(schema.required ?? []), ...parts.flatMap((p) => p.required ?? [])],
    },
  };
}

function typeProblem(schema: Schema, value: unknown): string | undefined {
  const actual = Array.isArray(value)
    ? 'array'
    : Number.isInteger(value)
      ? 'integer'
      : typeof value;
  const fits =
    schema.type === undefined ||
    schema.type === actual ||
    (schema.type === 'number' && actual === 'integer');
  if (!fits) return `is ${actual}, not ${schema.type ?? ''}`;
  if (schema.format === 'date-time' && !DATE_TIME.test(String(value)))
    return `is not a date-time: ${String(value)}`;
  return undefined;
}

/**
 * What in `value` does not fit `schema`, one line each. `allowed` names keys known to be sent
 * although the spec lacks them, as `Schema.key`.
 */
export function problems(
  spec: Spec,
  schema: Schema,
  value: unknown,
  at = '$',
  allowed: readonly string[] = [],
): string[] {
  const { schema: s, name } = resolve(spec, schema, at);
  if (value === null)
    return s.nullable === true || s.type === undefined ? [] : [`${at}: null, not nullable`];
  if (s.anyOf !== undefined) {
    return s.anyOf.some((option) => problems(spec, option, value, at, allowed).length === 0)
      ? []
      : [`${at}: fits no anyOf`];
  }
  const wrong = typeProblem(s, value);
  if (wrong !== undefined) return [`${at} ${wrong}`];
  if (Array.isArray(value))
    return value.flatMap((v, i) =>
      s.items ? problems(spec, s.items, v, `${at}[${i}]`, allowed) : [],
    );
  if (typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  const missing = (s.required ?? [])
    .filter((k) => !(k in object))
    .map((k) => `${at}: lacks required ${k} (${name})`);
  return [
    ...missing,
    ...Object.entries(object).flatMap(([key, v]) => {
      const property = s.properties?.[key];
      if (property !== undefined) return problems(spec, property, v, `${at}.${key}`, allowed);
      const open = s.properties === undefined || (s.additionalProperties ?? false) !== false;
      return open || allowed.includes(`${name}.${key}`)
        ? []
        : [`${at}.${key}: not a property of ${name}`];
    }),
  ];
}
