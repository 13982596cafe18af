import { Writable } from 'node:stream';
import type { Instance } from '../../src/function/instance';
import { createInstance } from '../../src/function/instance';
import { createLogger } from '../../src/basics/log';
import type { Pipeline } from '../../src/function/pipeline';
import { withDeadline } from './deadline';
import type { LogLine } from './function-process';

/** The structured lines a logger wrote, parsed. */
export class CapturedLog extends Writable {
  readonly text: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text.push(chunk.toString('utf8'));
    done();
  }

  get lines(): LogLine[] {
    return this.text
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as LogLine);
  }
}

export interface InProcess {
  readonly pipeline: Pipeline;
  readonly log: CapturedLog;
  readonly instance: Instance;
}

/** Every in-process pipeline here settles in a few seconds (its tests set short budgets). */
export const PIPELINE_DEADLINE_MS = 15_000;

/**
 * The real pipeline in this process, wired exactly as a function instance (createInstance: config,
 * transport, auth, content reader, dead-letter store) except that log lines are captured; for
 * tests that need many outcomes quickly. Storage goes wherever STORAGE_EMULATOR_HOST points.
 * `pipeline` fails with a DeadlineError after `deadlineMs`, so a retry loop that never ends
 * fails its test rather than holding it to the runner's timeout.
 */
export function inProcess(
  env: Record<string, string>,
  deadlineMs = PIPELINE_DEADLINE_MS,
): InProcess {
  const log = new CapturedLog();
  const instance = createInstance(env, { logger: createLogger(log) });
  const pipeline: Pipeline = (delivery, options) =>
    withDeadline(
      instance.pipeline(delivery, options),
      deadlineMs,
      `the pipeline for delivery ${delivery.meta.id}`,
    );
  return { pipeline, log, instance };
}
