/**
 * Composer's Airflow Commands API on 127.0.0.1 (issue 18, item 6): `executeAirflowCommand`,
 * `pollAirflowCommand` and the environment's `get`, running `dags trigger` and `dags list-runs`
 * over a fake Airflow's runs (test/fakes/airflow-cli.ts prints what the CLI prints). Output comes
 * in pages of `pageLines` lines, numbered from 1, `outputEnd` and `exitInfo` with the last page,
 * as the REST reference describes (v1 projects.locations.environments.pollAirflowCommand).
 * Faults as the fake Airflow's: a status, a reset, a lost answer, a hang; and on execute
 * `exists`, the command failing with "already exists" although no run was made (Airflow 2.10's
 * answer to another run at the same logical date).
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { AirflowVersion, CliOutcome, CliWorld } from './airflow-cli';
import { listRuns, trigger } from './airflow-cli';
import { close, delay, listen, readBody, sendJson } from './http-server';
import { verifyJwt } from './jwt';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const PATH =
  /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/environments\/[^/:]+)(?::(executeAirflowCommand|pollAirflowCommand))?$/;

export type ComposerCall = 'execute' | 'poll' | 'get';

export type CommandFault =
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Record<string, string> }
  | { readonly kind: 'reset' }
  /** Handled (an execute starts its command), then the connection is closed: the answer is lost. */
  | { readonly kind: 'lost' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'exists' };

export interface CommandRecord {
  readonly call: ComposerCall;
  readonly body: string;
  readonly at: number;
  readonly fault: CommandFault['kind'] | null;
}

export interface FakeComposerCommandsOptions {
  readonly world: CliWorld;
  readonly version?: AirflowVersion;
  readonly environment?: string;
  /** Require a bearer JWT signed by this key with the cloud-platform scope. */
  readonly publicKey?: KeyObject;
  /** Lines per poll answer (default 4). */
  readonly pageLines?: number;
  /** How long a command runs before its output can be read (default 0). */
  readonly runMs?: number;
  /** Delay before every answer, as the real API's round trip. */
  readonly latencyMs?: number;
  /** For a poll, `command` is the polled execution's (`dags trigger` and its parameters). */
  readonly faults?: (
    call: ComposerCall,
    body: string,
    index: number,
    command?: { readonly subcommand: string; readonly parameters: readonly string[] },
  ) => CommandFault | undefined;
  /** Told about every command executed (the stand-in prints them). */
  readonly onCommand?: (
    command: string,
    parameters: readonly string[],
    outcome: CliOutcome,
  ) => void;
}

interface Execution {
  readonly subcommand: string;
  readonly parameters: readonly string[];
  readonly outcome: CliOutcome;
  readonly readyAt: number;
}

export const STAND_IN_ENVIRONMENT = 'projects/local/locations/local/environments/stand-in';

export class FakeComposerCommands {
  readonly requests: CommandRecord[] = [];
  readonly executions = new Map<string, Execution>();
  readonly environment: string;
  /** The environment's state; anything but RUNNING refuses execute with FAILED_PRECONDITION. */
  state = 'RUNNING';
  url = '';
  faults: FakeComposerCommandsOptions['faults'];
  private readonly held: http.ServerResponse[] = [];
  private readonly server = http.createServer(
    (req, res) => void readBody(req).then((body) => this.handle(req, res, body)),
  );

  constructor(private readonly options: FakeComposerCommandsOptions) {
    this.environment = options.environment ?? STAND_IN_ENVIRONMENT;
    this.faults = options.faults;
  }

  async start(port?: number): Promise<this> {
    this.url = await listen(this.server, port);
    return this;
  }

  close(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    return close(this.server);
  }

  /** Requests of one kind, e.g. every execute. */
  calls(call: ComposerCall): CommandRecord[] {
    return this.requests.filter((r) => r.call === call);
  }

  /** Whether `path` is this API's: the Airflow stand-in serves both on one port. */
  static owns(path: string): boolean {
    return PATH.test(path.split('?')[0] ?? '');
  }

  private executionOf(call: ComposerCall, body: string): Execution | undefined {
    if (call !== 'poll') return undefined;
    try {
      return this.executions.get(
        String((JSON.parse(body) as { executionId?: unknown }).executionId),
      );
    } catch {
      return undefined;
    }
  }

  private error(
    res: http.ServerResponse,
    code: number,
    status: string,
    message: string,
    headers?: Record<string, string>,
  ) {
    sendJson(res, code, { error: { code, message, status } }, headers);
  }

  private authorized(req: http.IncomingMessage): boolean {
    const key = this.options.publicKey;
    if (key === undefined) return true;
    const header = req.headers.authorization ?? '';
    return (
      header.startsWith('Bearer ') &&
      verifyJwt(header.slice('Bearer '.length), key, { scope: CLOUD_PLATFORM }).ok
    );
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const match = PATH.exec((req.url ?? '/').split('?')[0] ?? '/');
    const call: ComposerCall =
      match?.[2] === 'executeAirflowCommand'
        ? 'execute'
        : match?.[2] === 'pollAirflowCommand'
          ? 'poll'
          : 'get';
    const fault = this.faults?.(call, body, this.requests.length, this.executionOf(call, body));
    this.requests.push({ call, body, at: Date.now(), fault: fault?.kind ?? null });
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') {
      this.held.push(res);
      return;
    }
    await delay(this.options.latencyMs ?? 0);
    if (fault?.kind === 'status') {
      const status =
        {
          429: 'RESOURCE_EXHAUSTED',
          503: 'UNAVAILABLE',
          500: 'INTERNAL',
          403: 'PERMISSION_DENIED',
        }[fault.status] ?? 'UNKNOWN';
      this.error(res, fault.status, status, `injected ${fault.status}`, fault.headers);
      return;
    }
    if (!this.authorized(req)) {
      this.error(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
      return;
    }
    if (match === null || match[1] !== this.environment) {
      this.error(res, 404, 'NOT_FOUND', `Environment ${match?.[1] ?? ''} not found.`);
      return;
    }
    const [status, answer] = this.answer(call, req.method ?? 'GET', body, fault);
    if (fault?.kind === 'lost') {
      req.socket.destroy();
      return;
    }
    sendJson(res, status, answer);
  }

  private answer(
    call: ComposerCall,
    method: string,
    body: string,
    fault: CommandFault | undefined,
  ): [number, unknown] {
    if (call === 'get') {
      if (method !== 'GET')
        return [404, { error: { code: 404, status: 'NOT_FOUND', message: 'Method not found' } }];
      return [
        200,
        {
          name: this.environment,
          state: this.state,
          config: {
            softwareConfig: {
              imageVersion: `composer-2.10.0-airflow-${this.options.version ?? '2.10.5'}`,
            },
          },
        },
      ];
    }
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return [
        400,
        {
          error: {
            code: 400,
            status: 'INVALID_ARGUMENT',
            message: 'Invalid JSON payload received.',
          },
        },
      ];
    }
    return call === 'execute' ? this.execute(request, fault) : this.poll(request);
  }

  private execute(
    request: Record<string, unknown>,
    fault: CommandFault | undefined,
  ): [number, unknown] {
    if (this.state !== 'RUNNING') {
      return [
        400,
        {
          error: {
            code: 400,
            status: 'FAILED_PRECONDITION',
            message: `Environment is in ${this.state} state; must be RUNNING.`,
          },
        },
      ];
    }
    const { command, subcommand, parameters } = request;
    const params = Array.isArray(parameters) ? parameters.map(String) : [];
    const version = this.options.version ?? '2.10.5';
    let outcome: CliOutcome;
    if (command === 'dags' && subcommand === 'trigger') {
      outcome =
        fault?.kind === 'exists'
          ? {
              lines: [
                `airflow.exceptions.DagRunAlreadyExists: A DAG Run already exists for DAG ${params[0] ?? ''} at ${new Date().toISOString()} with run id ${params[params.indexOf('--run-id') + 1] ?? ''}`,
              ],
              exitCode: 1,
            }
          : trigger(this.options.world, version, params);
    } else if (command === 'dags' && subcommand === 'list-runs') {
      outcome = listRuns(this.options.world, version, params);
    } else {
      return [
        400,
        {
          error: {
            code: 400,
            status: 'INVALID_ARGUMENT',
            message: `The command "${String(command)} ${String(subcommand)}" is not supported.`,
          },
        },
      ];
    }
    this.options.onCommand?.(`dags ${subcommand}`, params, outcome);
    const executionId = randomUUID();
    this.executions.set(executionId, {
      subcommand,
      parameters: params,
      outcome,
      readyAt: Date.now() + (this.options.runMs ?? 0),
    });
    return [
      200,
      {
        executionId,
        pod: 'airflow-worker-5f8c9',
        podNamespace: 'composer-2-10-0-airflow-2-10-5-1a2b3c4d',
        error: '',
      },
    ];
  }

  private poll(request: Record<string, unknown>): [number, unknown] {
    // As Google's JSON parser: an unknown field is a 400 (REST reference: PollAirflowCommandRequest).
    const known = ['executionId', 'pod', 'podNamespace', 'nextLineNumber'];
    const unknown = Object.keys(request).find((k) => !known.includes(k));
    if (unknown !== undefined) {
      return [
        400,
        {
          error: {
            code: 400,
            status: 'INVALID_ARGUMENT',
            message: `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`,
          },
        },
      ];
    }
    const execution = this.executions.get(String(request['executionId']));
    if (execution === undefined) {
      return [404, { error: { code: 404, status: 'NOT_FOUND', message: 'Execution not found.' } }];
    }
    if (Date.now() < execution.readyAt) return [200, { output: [], outputEnd: false }];
    const from = Math.max(1, Number(request['nextLineNumber'] ?? 1));
    const { lines, exitCode } = execution.outcome;
    const page = lines.slice(from - 1, from - 1 + (this.options.pageLines ?? 4));
    const output = page.map((content, i) => ({ lineNumber: from + i, content }));
    const end = from - 1 + page.length >= lines.length;
    return [
      200,
      end
        ? { output, outputEnd: true, exitInfo: { exitCode, error: '' } }
        : { output, outputEnd: false },
    ];
  }
}
