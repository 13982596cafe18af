/**
 * The Composer API transport (AIRFLOW_TRANSPORT=composer-api, issue 18): a DAG run created by
 * running `airflow dags trigger` inside the environment with `executeAirflowCommand`, its output
 * read with `pollAirflowCommand` (nextLineNumber, until outputEnd) within the invocation's
 * deadline. No path to the web server is needed: Private IP and VPC-SC environments.
 *
 * Exactly once: the run id is fixed, so Airflow itself refuses a second run with it
 * (`DagRunAlreadyExists`). A trigger whose execute answer or poll was lost may have run: the next
 * attempt first lists the DAG's runs (`dags list-runs … -o json`) and stops at a duplicate; only a
 * list without our run lets the trigger be sent again.
 */
import type { Deadline } from '../../basics/deadline';
import { timeLeft } from '../../basics/deadline';
import { TransportError } from '../../basics/errors/transport-error';
import type { Transport } from '../../basics/http';
import type { TriggerJob } from '../airflow/client';
import type { Attempt, AttemptDeps, Permanent } from '../airflow/attempts';
import { attemptUntilSettled, header, unanswered, withinGrace } from '../airflow/attempts';
import type { LogicalDateClock } from '../airflow/logical-date';
import { dagMissingMessage } from '../airflow/messages';
import { parseRetryAfter } from '../retry';
import type { Answered, ComposerApi, Execution } from './composer-api-http';
import {
  execute,
  executionOf,
  getEnvironment,
  googleError,
  poll,
  pollAnswerOf,
  stateOf,
} from './composer-api-http';
import type { CliCommand } from './composer-cli';
import {
  MAX_ARGUMENT_BYTES,
  classifyTrigger,
  listRunsCommand,
  listsRun,
  triggerCommand,
} from './composer-cli';
import type { DagRunTransport } from './dag-run-transport';

export interface ComposerTransportDeps extends Omit<AttemptDeps, 'onRetry'> {
  readonly transport: Transport;
  readonly endpoint: string;
  readonly environment: string;
  readonly api: 'v1' | 'v2';
  readonly logicalDate: LogicalDateClock;
  readonly dagNotFoundGraceSeconds: number;
}

/**
 * Waits between polls: 100 ms at first (a loopback stand-in answers at once), growing 1.75x to
 * 2 s while nothing new is printed, none after a page with lines (the rest may be there). gcloud waits 2 s growing
 * 1.75x to 30 s (gcloud 528: surface/composer/environments/run.py), tuned for a person watching;
 * a DAG run waits for its slowest poll, and every wait is cut at the invocation's deadline.
 */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 2000;
const POLL_FACTOR = 1.75;
/** At most this much output is kept per command (the confirm's run list): 16 MiB, as REST's. */
const OUTPUT_LIMIT_CHARS = 16 * 1024 * 1024;

const PERMISSION = 'composer.environments.executeAirflowCommand';

interface Ran {
  readonly kind: 'ran';
  readonly exitCode: number;
  readonly lines: readonly string[];
  readonly error: string;
}

/** Not settled: another attempt may follow. `started` says the command may have run. */
type NotRun = Attempt & { readonly started?: boolean };

export function composerTransport(deps: ComposerTransportDeps): DagRunTransport {
  const api: ComposerApi = {
    transport: deps.transport,
    auth: deps.auth,
    now: deps.now,
    endpoint: deps.endpoint,
    environment: deps.environment,
  };
  const env = deps.environment;

  const permissionMessage = (what: string, detail: string): string =>
    `Permission: ${what} was refused (403: ${detail}): grant the function's service account ` +
    `${PERMISSION} on ${env} (deploy/iam.sh grants a role that has it)`;

  /** What a Composer API error answer means; `precondition` needs the environment's state. */
  function failure(answered: Answered): NotRun | 'precondition' {
    const { res, sent, what } = answered;
    const { status, message } = googleError(res.body);
    const detail = `${status || res.status}${message === '' ? '' : `: ${message}`}`;
    if (res.status === 401) return { kind: 'unauthorized', sent, detail };
    if (res.status === 403) {
      return { kind: 'permanent', status: 403, message: permissionMessage(what, detail) };
    }
    if (res.status === 400 && status === 'FAILED_PRECONDITION') return 'precondition';
    if (res.status === 404) {
      return {
        kind: 'permanent',
        status: 404,
        message: `COMPOSER_ENVIRONMENT ${env} was not found (${what} answered ${detail}): check the project, region and name`,
      };
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const retryAfterMs = parseRetryAfter(header(res, 'retry-after'), deps.now());
      const reason = `${what} answered ${res.status} ${detail}`;
      return retryAfterMs === undefined
        ? { kind: 'transient', reason }
        : { kind: 'transient', reason, retryAfterMs };
    }
    return { kind: 'permanent', status: res.status, message: `${what} answered ${detail}` };
  }

  /** A refused command: transient while the environment is not RUNNING (an update, an upgrade). */
  async function notRunning(deadline: Deadline, said: string): Promise<NotRun> {
    let state = '';
    try {
      const got = await getEnvironment(api, deadline);
      if (got.res.status === 200) state = stateOf(got.res.body);
    } catch {
      // unknown: treated as not RUNNING below, so the event is retried, not dropped
    }
    if (state === 'RUNNING') {
      return {
        kind: 'permanent',
        status: 400,
        message: `the Composer API refused the command: ${said}`,
      };
    }
    return {
      kind: 'transient',
      reason: `environment ${env} is ${state || 'in an unknown state'}, not RUNNING (an update or upgrade in progress?): the command waits for it (${said})`,
    };
  }

  /** Polls one execution until its output ends or the deadline comes; lost polls are polled again. */
  async function follow(deadline: Deadline, run: Execution, label: string): Promise<Ran | NotRun> {
    const lines: string[] = [];
    let size = 0;
    let next = 1;
    let waitMs = POLL_FIRST_MS;
    let refreshed = false;
    let lastProblem = 'no poll answered yet';
    for (;;) {
      const left = deadline.endsAt - deps.now();
      if (left <= 0) {
        return {
          kind: 'transient',
          started: true,
          reason: `${label} (execution ${run.executionId}) did not end within the invocation's time (${lastProblem})`,
        };
      }
      await deps.sleep(Math.min(waitMs, left));
      if (timeLeft(deadline, deps.now()) <= 0) continue;
      let answered: Answered;
      try {
        answered = await poll(api, deadline, run, next);
      } catch (err) {
        const attempt = unanswered(err);
        if (attempt.kind === 'permanent') return attempt;
        lastProblem = attempt.kind === 'transient' ? attempt.reason : 'no answer';
        waitMs = Math.min(waitMs * POLL_FACTOR, POLL_MAX_MS);
        continue;
      }
      if (answered.res.status !== 200) {
        const failed = failure(answered);
        if (failed !== 'precondition' && failed.kind === 'unauthorized' && !refreshed) {
          refreshed = deps.auth.rejected(failed.sent);
          continue;
        }
        if (failed === 'precondition' || failed.kind !== 'transient') {
          return failed === 'precondition'
            ? { ...(await notRunning(deadline, 'poll refused')), started: true }
            : { ...failed, started: true };
        }
        lastProblem = failed.reason;
        waitMs = Math.max(Math.min(waitMs * POLL_FACTOR, POLL_MAX_MS), failed.retryAfterMs ?? 0);
        continue;
      }
      const page = pollAnswerOf(answered.res.body);
      if (page === undefined) {
        lastProblem = `${answered.what} answered 200 with no poll answer`;
        continue;
      }
      for (const line of page.lines) {
        if (line.lineNumber < next) continue; // a page seen before (a lost answer polled again)
        if (size < OUTPUT_LIMIT_CHARS) lines.push(line.content);
        size += line.content.length;
        next = line.lineNumber + 1;
      }
      if (page.outputEnd) {
        if (size >= OUTPUT_LIMIT_CHARS) {
          return {
            kind: 'transient',
            reason: `${label} printed more than ${OUTPUT_LIMIT_CHARS} characters`,
          };
        }
        return { kind: 'ran', exitCode: page.exitCode, lines, error: page.error };
      }
      // More lines may be waiting already (a page is a page): read on at once, then back off.
      waitMs =
        page.lines.length > 0
          ? 0
          : Math.min(Math.max(waitMs, POLL_FIRST_MS / POLL_FACTOR) * POLL_FACTOR, POLL_MAX_MS);
    }
  }

  /** Executes one command and follows it to its end. */
  async function run(deadline: Deadline, command: CliCommand): Promise<Ran | NotRun> {
    const label = `airflow ${command.command} ${command.subcommand}`;
    let answered: Answered;
    try {
      answered = await execute(api, deadline, command);
    } catch (err) {
      const started = err instanceof TransportError; // sent, answer lost: it may have run
      return { ...unanswered(err), started };
    }
    if (answered.res.status !== 200) {
      const failed = failure(answered);
      if (failed === 'precondition')
        return notRunning(deadline, googleError(answered.res.body).message);
      // A 5xx may come from behind the API after the command started.
      return { ...failed, started: answered.res.status >= 500 };
    }
    const execution = executionOf(answered.res.body);
    if (execution === undefined) {
      return {
        kind: 'transient',
        started: true,
        reason: `${answered.what} answered 200 without an executionId`,
      };
    }
    if (execution.error !== '') return notRunning(deadline, execution.error);
    return follow(deadline, execution, label);
  }

  /** Whether our run is there: duplicate, absent (undefined: go on), or not known (transient). */
  async function confirm(job: TriggerJob): Promise<NotRun | 'absent'> {
    const listed = await run(job.deadline, listRunsCommand(deps.api, job.target.dagId));
    if (listed.kind !== 'ran') return { ...listed, started: true };
    const found = listsRun(job.runId, listed.exitCode, listed.lines);
    if (found === true) return { kind: 'duplicate' };
    if (found === false) return 'absent';
    return {
      kind: 'transient',
      started: true,
      reason: `airflow dags list-runs could not be read to confirm run ${job.runId} (exit ${listed.exitCode})`,
    };
  }

  function dagMissing(job: TriggerJob, detail: string): Attempt {
    const graceSeconds = deps.dagNotFoundGraceSeconds;
    return withinGrace(deps.now(), job.eventTimeMs, graceSeconds, (ageSeconds, waiting) =>
      dagMissingMessage({ dagId: job.target.dagId, detail, ageSeconds, graceSeconds }, waiting),
    );
  }

  async function trigger(job: TriggerJob): Promise<NotRun> {
    const logicalDate = deps.api === 'v2' ? deps.logicalDate() : null;
    const command = triggerCommand(deps.api, job.target.dagId, job.runId, job.conf, logicalDate);
    const ran = await run(job.deadline, command);
    if (ran.kind !== 'ran') return ran;
    const verdict = classifyTrigger(job.runId, ran.exitCode, ran.lines, ran.error);
    switch (verdict.kind) {
      case 'created':
        return { kind: 'created' };
      case 'exists': {
        // Ours, or (2.10) another run at the same logical date: only the run list tells.
        const known = await confirm(job);
        if (known === 'absent') {
          return {
            kind: 'transient',
            reason: `Airflow said "${verdict.detail}", but run ${job.runId} is not among the DAG's runs`,
          };
        }
        return known;
      }
      case 'dag-missing':
        return dagMissing(job, verdict.detail);
      case 'failed':
        return verdict.transient
          ? { kind: 'transient', reason: `airflow dags trigger failed: ${verdict.detail}` }
          : {
              kind: 'permanent',
              status: null,
              message: `airflow dags trigger refused run ${job.runId} of ${job.target.dagId}: ${verdict.detail}`,
            };
      case 'unreadable':
        return {
          kind: 'transient',
          started: true,
          reason: `airflow dags trigger: ${verdict.detail}`,
        };
    }
  }

  return {
    createRun(job, onRetry) {
      if (Buffer.byteLength(job.conf, 'utf8') > MAX_ARGUMENT_BYTES) {
        const bytes = Buffer.byteLength(job.conf, 'utf8');
        return Promise.resolve({
          kind: 'permanent',
          status: null,
          message: `Content: the conf is ${bytes} bytes, more than the ${MAX_ARGUMENT_BYTES} one command-line argument can carry through the Composer API (Linux MAX_ARG_STRLEN); use AIRFLOW_TRANSPORT=rest or a smaller trigger file`,
          attempts: 0,
        });
      }
      /** Whether a trigger of this invocation may have run without our knowing its outcome. */
      let uncertain = false;
      const attemptOnce = async (): Promise<Attempt> => {
        try {
          if (uncertain) {
            const known = await confirm(job);
            if (known !== 'absent') return known;
            uncertain = false;
          }
          const result = await trigger(job);
          uncertain = result.started === true;
          return result;
        } catch (err) {
          return unanswered(err);
        }
      };
      const refused401 = (detail: string): Permanent => ({
        kind: 'permanent',
        status: 401,
        message: `the Composer API rejected a freshly fetched Google access token (${detail}): check the function's service account (AUTH_MODE=google)`,
      });
      return attemptUntilSettled({ ...deps, onRetry }, job.deadline, attemptOnce, refused401);
    },
  };
}
