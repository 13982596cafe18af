/**
 * runSteps with real child processes (small node scripts): a lookup that may find nothing and the
 * steps that depend on it, an update run where a create finds its resource, and a retry while a
 * failure is one that time cures, with the waits recorded instead of slept.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { StepError } from '../../src/planner/errors/step-error';
import { runSteps } from '../../src/planner/run-steps';
import type { Step } from '../../src/planner/steps';
import { renderPlan } from '../../src/planner/steps';
import { tempDir } from '../helpers/cli';

/** A node script as a step's argv; it may append its first argument to ./ran. */
const node = (script: string, ...args: Step['argv']): Step['argv'] => [
  process.execPath,
  '-e',
  script,
  ...args,
];
const RECORD = "require('fs').appendFileSync('ran', process.argv[1] + '\\n')";
const record = (name: string | Step['argv'][number]): Step['argv'] => node(RECORD, name);

function runner() {
  const cwd = tempDir('run-steps-');
  const stderr = new PassThrough();
  let said = '';
  stderr.setEncoding('utf8').on('data', (s: string) => (said += s));
  const waits: number[] = [];
  let clock = 0;
  const options = {
    cwd,
    stderr,
    now: () => clock,
    sleep: (ms: number) => {
      waits.push(ms);
      clock += ms;
      return Promise.resolve();
    },
  };
  const ran = () =>
    existsSync(path.join(cwd, 'ran'))
      ? readFileSync(path.join(cwd, 'ran'), 'utf8').trim().split('\n')
      : [];
  return { options, ran, waits, said: () => said };
}

/** A lookup printing `found`, then a create for nothing found and an update of what was found. */
const lookupThen = (found: string): Step[] => [
  { argv: node(`process.stdout.write(${JSON.stringify(found)})`), capture: 'X', mayBeEmpty: true },
  { argv: record('create'), when: { ref: 'X', found: false } },
  { argv: record([{ ref: 'X' }]), when: { ref: 'X', found: true } },
];

describe('runSteps: lookups, updates instead of creates, retries', () => {
  it('a lookup that finds nothing: the create runs, the update does not', async () => {
    const r = runner();
    await runSteps(lookupThen(''), r.options);
    assert.deepEqual(r.ran(), ['create']);
  });

  it('a lookup that finds one: the update runs with what it found', async () => {
    const r = runner();
    await runSteps(lookupThen('projects/p/alertPolicies/7\n'), r.options);
    assert.deepEqual(r.ran(), ['projects/p/alertPolicies/7']);
  });

  it('a create whose resource exists: its update runs instead, and the plan goes on', async () => {
    const r = runner();
    const exists = node(
      "process.stderr.write('ALREADY_EXISTS: Metric m already exists.'); process.exit(1)",
    );
    const steps: Step[] = [
      {
        argv: exists,
        ifExists: { exists: /already exists/i, instead: { argv: record('update') } },
      },
      { argv: record('next') },
    ];
    await runSteps(steps, r.options);
    assert.deepEqual(r.ran(), ['update', 'next']);
    assert.match(r.said(), /\(it exists: writing the same definition over it\)/);
  });

  it('any other failure of that create stops the plan', async () => {
    const r = runner();
    const denied = node("process.stderr.write('PERMISSION_DENIED'); process.exit(1)");
    const steps: Step[] = [
      {
        argv: denied,
        ifExists: { exists: /already exists/i, instead: { argv: record('update') } },
      },
      { argv: record('next') },
    ];
    await assert.rejects(runSteps(steps, r.options), StepError);
    assert.deepEqual(r.ran(), []);
  });

  // Fails with "Cannot find metric" until it has run `times` times, counting in ./tries.
  const flaky = (times: number) =>
    node(
      "const fs = require('fs'); const n = (fs.existsSync('tries') ? +fs.readFileSync('tries', 'utf8') : 0) + 1;" +
        `fs.writeFileSync('tries', String(n)); if (n < ${times}) { process.stderr.write('NOT_FOUND: Cannot find metric(s)'); process.exit(1) }` +
        "fs.appendFileSync('ran', 'created\\n')",
    );
  const retry = { failure: /Cannot find metric/, everyMs: 30_000, forMs: 120_000, note: 'not yet' };

  it('a failure time cures is tried again at the interval until it passes', async () => {
    const r = runner();
    await runSteps([{ argv: flaky(3), retry }], r.options);
    assert.deepEqual(r.ran(), ['created']);
    assert.deepEqual(r.waits, [30_000, 30_000]);
    assert.equal(r.said().match(/\(not yet; trying again in 30 s\)/g)?.length, 2);
  });

  it('… and given up on once the window is over', async () => {
    const r = runner();
    await assert.rejects(runSteps([{ argv: flaky(100), retry }], r.options), StepError);
    assert.deepEqual(r.waits, [30_000, 30_000, 30_000, 30_000]);
    assert.deepEqual(r.ran(), []);
  });

  it('a dry run shows the condition, the file a step reads, and the update after its create', () => {
    const steps: Step[] = [
      { why: 'look', argv: ['gcloud', 'x', 'list'], capture: 'X', mayBeEmpty: true },
      {
        why: 'make it',
        argv: ['gcloud', 'x', 'create', '--from=f.yaml'],
        when: { ref: 'X', found: false },
        shows: { file: 'f.yaml', text: 'a: 1\n\nb: 2\n' },
        ifExists: {
          exists: /exists/,
          instead: { why: 'or update', argv: ['gcloud', 'x', 'update'] },
        },
      },
    ];
    assert.equal(
      renderPlan(steps),
      [
        '# look',
        'X=$(gcloud x list)',
        '# f.yaml:',
        '#   a: 1',
        '#',
        '#   b: 2',
        '# if $X is empty: make it',
        'gcloud x create --from=f.yaml',
        '# or update',
        'gcloud x update',
        '',
      ].join('\n'),
    );
  });
});
