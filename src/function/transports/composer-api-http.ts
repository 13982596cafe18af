/**
 * One Composer API call (composer.googleapis.com v1, REST reference "projects.locations.
 * environments"): `executeAirflowCommand`, `pollAirflowCommand` and the environment's `get`, each
 * one request through the instance's keep-alive transport with the Google access token.
 *
 * Why not `@google-cloud/orchestration-airflow` (Google's client, `fallback: 'rest'`): measured on
 * this machine (Node 22, 2 shared cores, three runs each), requiring it and making an
 * EnvironmentsClient took 140-217 ms wall and 162-217 ms CPU at cold start (google-gax,
 * protobufjs), this module 3-4 ms. It would also bring gax's own retries and timeouts, which must
 * not run beside ours (one deadline per invocation; a lost execute is confirmed before it is sent
 * again). Three small JSON calls through the instance's node:http transport are cheaper.
 */
import type { Deadline } from '../../basics/deadline';
import { timeLeft } from '../../basics/deadline';
import type { HttpRequest, HttpResponse, Transport } from '../../basics/http';
import type { Auth, Credential } from '../auth';
import type { CliCommand } from './composer-cli';

export interface ComposerApi {
  readonly transport: Transport;
  readonly auth: Auth;
  readonly now: () => number;
  /** `https://composer.googleapis.com` or a loopback stand-in. */
  readonly endpoint: string;
  /** `projects/P/locations/L/environments/E`. */
  readonly environment: string;
}

export interface Answered {
  readonly res: HttpResponse;
  readonly sent: Credential;
  readonly what: string;
}

/** Poll answers carry output lines; a DAG's run list can be long (the confirm), so 4 MiB. */
export const POLL_ANSWER_LIMIT = 4 * 1024 * 1024;

async function call(
  api: ComposerApi,
  deadline: Deadline,
  method: 'GET' | 'POST',
  suffix: string,
  body?: unknown,
): Promise<Answered> {
  const sent = await api.auth.headers(timeLeft(deadline, api.now()));
  const request: HttpRequest = {
    method,
    url: `${api.endpoint}/v1/${api.environment}${suffix}`,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      accept: 'application/json',
      ...sent,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  };
  const what = `${method} ${api.endpoint}/v1/${api.environment}${suffix}`;
  const res = await api.transport(request, timeLeft(deadline, api.now()), POLL_ANSWER_LIMIT);
  return { res, sent, what };
}

export const execute = (api: ComposerApi, deadline: Deadline, command: CliCommand) =>
  call(api, deadline, 'POST', ':executeAirflowCommand', command);

export interface Execution {
  readonly executionId: string;
  readonly pod: string;
  readonly podNamespace: string;
}

export const poll = (
  api: ComposerApi,
  deadline: Deadline,
  run: Execution,
  nextLineNumber: number,
) =>
  // Only the request's own fields: Google's JSON parser refuses unknown ones ("Unknown name").
  call(api, deadline, 'POST', ':pollAirflowCommand', {
    executionId: run.executionId,
    pod: run.pod,
    podNamespace: run.podNamespace,
    nextLineNumber,
  });

export const getEnvironment = (api: ComposerApi, deadline: Deadline) =>
  call(api, deadline, 'GET', '');

/** A Google API error body: `{error: {code, message, status}}`. */
export function googleError(body: string): { status: string; message: string } {
  try {
    const parsed = JSON.parse(body) as { error?: { status?: unknown; message?: unknown } };
    const status = typeof parsed.error?.status === 'string' ? parsed.error.status : '';
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : '';
    return { status, message: message.slice(0, 300) };
  } catch {
    return { status: '', message: body.slice(0, 200) };
  }
}

const parsed = (body: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `{executionId, pod, podNamespace, error}`; undefined when it is not that. */
export function executionOf(body: string): (Execution & { readonly error: string }) | undefined {
  const o = parsed(body);
  if (o === undefined || text(o['executionId']) === '') return undefined;
  return {
    executionId: text(o['executionId']),
    pod: text(o['pod']),
    podNamespace: text(o['podNamespace']),
    error: text(o['error']),
  };
}

export interface PollAnswer {
  readonly lines: readonly { readonly lineNumber: number; readonly content: string }[];
  readonly outputEnd: boolean;
  readonly exitCode: number;
  readonly error: string;
}

/** `{output[{lineNumber, content}], outputEnd, exitInfo{exitCode, error}}` (proto3 JSON omits zero values). */
export function pollAnswerOf(body: string): PollAnswer | undefined {
  const o = parsed(body);
  if (o === undefined) return undefined;
  const output = Array.isArray(o['output']) ? (o['output'] as unknown[]) : [];
  const lines = output.flatMap((line) => {
    if (typeof line !== 'object' || line === null) return [];
    const l = line as Record<string, unknown>;
    const n = typeof l['lineNumber'] === 'number' ? l['lineNumber'] : Number(l['lineNumber']);
    return Number.isSafeInteger(n) ? [{ lineNumber: n, content: text(l['content']) }] : [];
  });
  const exitInfo = (o['exitInfo'] ?? {}) as Record<string, unknown>;
  const exitCode = typeof exitInfo['exitCode'] === 'number' ? exitInfo['exitCode'] : 0;
  return {
    lines: lines.sort((a, b) => a.lineNumber - b.lineNumber),
    outputEnd: o['outputEnd'] === true,
    exitCode,
    error: text(exitInfo['error']),
  };
}

/** The environment's `state` (RUNNING, UPDATING, …), or '' when the answer does not say. */
export const stateOf = (body: string): string => text(parsed(body)?.['state']);
