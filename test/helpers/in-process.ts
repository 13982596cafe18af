import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuth } from '../../src/auth';
import { parseConfig } from '../../src/config';
import type { DeadLetterStore } from '../../src/dead-letter';
import { send } from '../../src/http';
import { createLogger } from '../../src/log';
import type { Pipeline } from '../../src/pipeline';
import { createPipeline } from '../../src/pipeline';
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
}

/**
 * The real pipeline (real config parsing, transport, auth, logger) in this process, for tests
 * that need many outcomes quickly. Only the clock's randomness is fixed: jitter 0, so the first
 * retry waits 250 ms.
 */
export function inProcess(env: Record<string, string>, deadLetters?: DeadLetterStore): InProcess {
  const config = parseConfig(env);
  const log = new CapturedLog();
  const pipeline = createPipeline({
    config,
    logger: createLogger(log),
    auth: createAuth(config.auth),
    transport: send,
    now: Date.now,
    random: () => 0,
    sleep: (ms) => sleep(ms),
    ...(deadLetters && { deadLetters }),
  });
  return { pipeline, log };
}
