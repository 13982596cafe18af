import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageFetch } from '../../src/function/airflow/asset-ledger';
import { AssetLedger, MAX_KEYS, MAX_SCAN_PAGES } from '../../src/function/airflow/asset-ledger';
import type { SeenEvent } from '../../src/function/airflow/asset-response';

/**
 * An asset's events as Airflow pages them: newest first, `size` per page, as they are when the
 * request arrives (`hold` delays only the answer, as a slow network does).
 */
function server(size = 3) {
  const events: SeenEvent[] = [];
  const offsets: number[] = [];
  let gate: Promise<void> | undefined;
  const fetch: PageFetch<string> = async (offset) => {
    offsets.push(offset);
    const sorted = [...events].sort((a, b) => b.timestampMs - a.timestampMs);
    await gate;
    return sorted.slice(offset, offset + size);
  };
  return {
    offsets,
    fetch,
    add: (key: string | undefined, timestampMs: number) => events.push({ key, timestampMs }),
    hold() {
      let open = () => {};
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

const FOUND = { found: true, complete: true };
const ABSENT = { found: false, complete: true };

describe('AssetLedger: the check for an earlier event of the same object version', () => {
  it('reads back to the bound, then only what is new (plus the overlap)', async () => {
    const s = server(3);
    for (let i = 0; i < 10; i += 1) s.add(`k${i}`, 10_000 * i);
    const ledger = new AssetLedger<string>(() => 500_000, 2_000);
    // From 45 s: the events at 90…50 s are newer; the one at 40 s is older and ends the read.
    assert.deepEqual(await ledger.contains('x', 45_000, 0, s.fetch), ABSENT);
    assert.deepEqual(s.offsets, [0, 3]);
    assert.deepEqual(await ledger.contains('k6', 45_000, 0, s.fetch), FOUND);
    assert.equal(s.offsets.length, 2, 'a key read once is known without a request');

    s.add('k10', 100_000);
    s.offsets.length = 0;
    assert.deepEqual(await ledger.contains('k10', 45_000, 1, s.fetch), FOUND);
    // The commit lag (2 s here, shorter than the 10 s spacing) reaches 88 s: one page.
    assert.deepEqual(s.offsets, [0], 'one page: what is newer than the newest read (90 s)');
  });

  it('an older bound than read so far reads everything again down to it', async () => {
    const s = server(2);
    for (let i = 0; i < 6; i += 1) s.add(`k${i}`, 10_000 * i);
    const ledger = new AssetLedger<string>(() => 0, 2_000);
    await ledger.contains('x', 45_000, 0, s.fetch);
    assert.deepEqual(s.offsets, [0], '50 s then 40 s: one page');
    assert.deepEqual(await ledger.contains('k1', 5_000, 0, s.fetch), FOUND);
    assert.deepEqual(s.offsets, [0, 0, 2, 4], 'down to 0 s this time');
  });

  it('a check begun during a read waits for the next: the running one may miss it', async () => {
    const s = server(5);
    s.add('old', 1000);
    let now = 0;
    const ledger = new AssetLedger<string>(() => now, 2_000);
    const release = s.hold();
    const first = ledger.contains('late', 1500, 0, s.fetch);
    await Promise.resolve();
    // The first read's page is already taken; then the event lands and two more checks begin.
    s.add('late', 2000);
    now = 10;
    const second = ledger.contains('late', 1500, 10, s.fetch);
    const third = ledger.contains('late', 1500, 10, s.fetch);
    release();
    assert.deepEqual(await first, ABSENT);
    assert.deepEqual(await second, FOUND);
    assert.deepEqual(await third, FOUND);
    // 1 page for the first read; the second read (2 pages: it goes back past the newest event
    // read so far, minus the overlap, to an empty page) serves the third check too.
    assert.equal(s.offsets.length, 3, 'the second and third share one read');
  });

  it("a failed page is the check's failure; what was read stays known", async () => {
    const s = server(2);
    s.add('a', 3000);
    s.add('b', 2000);
    s.add('c', 1000);
    let calls = 0;
    const failing: PageFetch<string> = async (offset) => {
      calls += 1;
      return calls === 2 ? { failure: '503' } : s.fetch(offset);
    };
    const ledger = new AssetLedger<string>(() => 0, 2_000);
    assert.deepEqual(await ledger.contains('c', 0, 0, failing), { failure: '503' });
    assert.deepEqual(await ledger.contains('a', 0, 0, failing), FOUND);
  });

  it('a read stops at the page cap and says the check is partial', async () => {
    const s = server(1);
    for (let i = 0; i < MAX_SCAN_PAGES + 5; i += 1) s.add(`k${i}`, 10_000 + i);
    const ledger = new AssetLedger<string>(() => 0, 2_000);
    assert.deepEqual(await ledger.contains('k0', 0, 0, s.fetch), { found: false, complete: false });
    assert.equal(s.offsets.length, MAX_SCAN_PAGES);
  });

  it('events without our key count for the span, not as keys', async () => {
    const s = server(3);
    s.add(undefined, 5000);
    s.add('mine', 4000);
    const ledger = new AssetLedger<string>(() => 0, 2_000);
    assert.deepEqual(await ledger.contains('mine', 0, 0, s.fetch), FOUND);
    assert.equal(ledger.size, 1);
  });

  it('an event recorded by this instance is known at once', async () => {
    const s = server(3);
    const ledger = new AssetLedger<string>(() => 0, 2_000);
    ledger.add('mine', 1);
    assert.deepEqual(await ledger.contains('mine', 0, 0, s.fetch), FOUND);
    assert.equal(s.offsets.length, 0);
  });

  it('an event committed late, behind more than a page of newer ones, is found (issue 16)', async () => {
    const s = server(3);
    for (let i = 0; i < 10; i += 1) s.add(`k${i}`, 1000 * i);
    const ledger = new AssetLedger<string>(() => 0, 5_000);
    assert.deepEqual(await ledger.contains('late', 0, 0, s.fetch), ABSENT);
    // Stamped at 5.5 s, before the newest read (9 s), committed only now, 3.5 s late (within the
    // lag): and five newer events, more than a page, committed meanwhile.
    s.add('late', 5500);
    for (let i = 10; i < 15; i += 1) s.add(`k${i}`, 1000 * i);
    s.offsets.length = 0;
    assert.deepEqual(await ledger.contains('late', 0, 1, s.fetch), FOUND);
    // Past 4 s (9 s minus the lag): 14…12, 11…9, 8…6, 5.5…4, 3…1.
    assert.deepEqual(s.offsets, [0, 3, 6, 9, 12]);
  });

  it('a check with an older bound does not join a running read that stops short of it', async () => {
    const s = server(2);
    for (let i = 0; i < 6; i += 1) s.add(`k${i}`, 10_000 * i);
    const ledger = new AssetLedger<string>(() => 0, 2_000);
    const release = s.hold();
    const short = ledger.contains('x', 45_000, 0, s.fetch);
    const long = ledger.contains('k1', 5_000, 0, s.fetch);
    release();
    assert.deepEqual(await short, ABSENT);
    assert.deepEqual(await long, FOUND, 'read again down to 5 s, not answered by the 45 s read');
  });

  it('beyond MAX_KEYS the oldest half goes, and the span read shrinks with it', async () => {
    const s = server(3);
    const ledger = new AssetLedger<string>(() => 0, 2_000);
    for (let i = 0; i < MAX_KEYS; i += 1) ledger.add(`k${i}`, 1_000_000 + i);
    s.add('newest', 1_000_000 + MAX_KEYS);
    // A read (one page, then an empty one) brings the count past the cap.
    assert.deepEqual(await ledger.contains('x', 1_000_000, 0, s.fetch), ABSENT);
    assert.equal(ledger.size, MAX_KEYS / 2);
    s.offsets.length = 0;
    assert.deepEqual(await ledger.contains('newest', 1_000_000, 0, s.fetch), FOUND);
    assert.deepEqual(await ledger.contains(`k${MAX_KEYS - 1}`, 1_000_000, 0, s.fetch), FOUND);
    assert.equal(s.offsets.length, 0, 'the newest keys are kept: no request');
    await ledger.contains('k0', 1_000_000, 0, s.fetch);
    assert.deepEqual(s.offsets, [0, 1], 'the oldest were dropped: their span is read again');
  });
});
