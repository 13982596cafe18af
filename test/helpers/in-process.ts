import { Writable } from 'node:stream';
import type { Instance } from '../../src/instance';
import { createInstance } from '../../src/instance';
import { createLogger } from '../../src/log';
import type { Pipeline } from '../../src/pipeline';
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

/**
 * The real pipeline in this process, wired exactly as a function instance (createInstance: config,
 * transport, auth, content reader, dead-letter store) except that log lines are captured; for
 * tests that need many outcomes quickly. Storage goes wherever STORAGE_EMULATOR_HOST points.
 */
export function inProcess(env: Record<string, string>): InProcess {
  const log = new CapturedLog();
  const instance = createInstance(env, { logger: createLogger(log) });
  return { pipeline: instance.pipeline, log, instance };
}
