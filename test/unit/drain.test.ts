import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/basics/log';
import { createDrain } from '../../src/function/drain';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import { finalizedDelivery } from '../helpers/events';
import { CapturedLog } from '../helpers/in-process';

function drainWith(graceMs: number, onCutOff?: () => void) {
  const log = new CapturedLog();
  const drain = createDrain({
    logger: createLogger(log),
    graceMs,
    ...(onCutOff !== undefined && { onCutOff }),
  });
  return { drain, log };
}

/** A delivery's work that settles when told to. */
function pending() {
  let finish: (value: string) => void = () => undefined;
  const work = new Promise<string>((resolve) => (finish = resolve));
  return { work: () => work, finish };
}

describe('drain: what SIGTERM does to deliveries (issue 17, item 4)', () => {
  it('a delivery that finishes within the grace keeps its own result; stop waits for it', async () => {
    const { drain, log } = drainWith(5_000);
    const job = pending();
    const answer = drain.run(finalizedDelivery('e1', 'in/a.csv', '1'), job.work);
    const stopped = drain.stop();
    job.finish('created');
    assert.equal(await answer, 'created');
    await stopped;
    assert.deepEqual(
      log.lines.map((l) => l.outcome),
      ['stopping'],
    );
  });

  it('past the grace: rejected for redelivery with one line naming the object, silenced first', async () => {
    const order: string[] = [];
    const { drain, log } = drainWith(50, () => order.push(`silenced after ${log.lines.length}`));
    const job = pending();
    const answer = drain.run(finalizedDelivery('e2', 'in/b.csv', '7'), job.work);
    await drain.stop();
    await assert.rejects(answer, (err: unknown) => err instanceof DeliveryError);
    job.finish('created'); // too late: the caller has its answer already
    assert.deepEqual(order, ['silenced after 1'], 'silenced after the stopping line only');
    const cut = log.lines[1];
    assert.ok(cut);
    assert.equal(cut.outcome, 'redeliver');
    assert.equal(cut['object'], 'in/b.csv');
    assert.equal(cut['generation'], '7');
    assert.match(cut.message ?? '', /did not finish within 50 ms; the platform will redeliver$/);
  });

  it('once stopping, a new delivery is refused at once and its work never starts', async () => {
    const { drain, log } = drainWith(50);
    await drain.stop();
    let started = false;
    await assert.rejects(
      drain.run(finalizedDelivery('e3', 'in/c.csv', '2'), () => {
        started = true;
        return Promise.resolve('created');
      }),
      (err: unknown) => err instanceof DeliveryError && /takes no new delivery/.test(err.message),
    );
    assert.equal(started, false);
    assert.deepEqual(
      log.lines.map((l) => l.outcome),
      ['redeliver'],
    );
  });

  it('a work that throws at once is that delivery failing, not the drain', async () => {
    const { drain } = drainWith(50);
    const boom = () => {
      throw new Error('boom');
    };
    await assert.rejects(drain.run(finalizedDelivery('e4', 'x', '1'), boom), /boom/);
    await drain.stop(); // nothing left in flight: resolves at once
  });
});
