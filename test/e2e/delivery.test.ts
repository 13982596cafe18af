import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { binary, deliver, legacy, objectData, structured } from '../helpers/events';
import { FunctionProcess } from '../helpers/function-process';
import { sharedFile } from '../helpers/paths';
import { startStack } from '../helpers/stack';

const DAG = 'composer_sample_trigger_response_dag';

describe('object versions and redeliveries', () => {
  it('a new generation of the same object is a new run; a redelivery of either is not', async (t) => {
    const stack = await startStack({ env: { AUTH_MODE: 'none' } });
    t.after(() => stack.stop());
    const v1 = binary(objectData('bkt', 'daily/report.csv', '100'));
    const v2 = binary(objectData('bkt', 'daily/report.csv', '200'));
    for (const d of [v1, v2, v1, v2]) assert.equal((await deliver(stack.fn.url, d)).status, 204);
    const runs = stack.airflow.runsOf(DAG);
    assert.equal(runs.length, 2);
    assert.deepEqual(runs.map((r) => r.conf['generation']).sort(), ['100', '200']);
    assert.deepEqual(
      stack.fn.logs().map((l) => l.outcome),
      ['created', 'created', 'duplicate', 'duplicate'],
    );
  });
});

describe('1st-gen payloads reach both entry points', () => {
  const data = objectData('legacy-bucket', 'drop/in.csv', '1587627537231057');

  it('triggerDag: the framework converts a legacy event into a CloudEvent', async (t) => {
    const stack = await startStack({ env: { AUTH_MODE: 'none' } });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, legacy(data, { eventId: '42' }))).status, 204);
    const [run] = stack.airflow.runsOf(DAG);
    assert.ok(run);
    assert.equal(run.conf['name'], 'drop/in.csv');
    assert.deepEqual(run.conf['event'], {
      id: '42',
      type: 'google.cloud.storage.object.v1.finalized',
      time: (run.conf['event'] as { time: string }).time,
      source: '//storage.googleapis.com/projects/_/buckets/legacy-bucket',
    });
  });

  it('triggerDagBackground: (data, context) as the Python sample', async (t) => {
    const stack = await startStack({ env: { AUTH_MODE: 'none' }, target: 'triggerDagBackground' });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, legacy(data, { eventId: '43' }))).status, 204);
    const [run] = stack.airflow.runsOf(DAG);
    const { event, ...fields } = run?.conf ?? {};
    assert.deepEqual(fields, data);
    assert.equal((event as { type: string }).type, 'google.storage.object.finalize');
    // The same form as 2nd gen (the test above): a DAG should not care which one delivered.
    assert.equal(
      (event as { source: string }).source,
      '//storage.googleapis.com/projects/_/buckets/legacy-bucket',
    );
    // Redelivery to the legacy entry point: still one run.
    assert.equal((await deliver(stack.fn.url, legacy(data, { eventId: '43' }))).status, 204);
    assert.equal(stack.airflow.runsOf(DAG).length, 1);
  });

  it('triggerDagBackground also takes a binary CloudEvent (2nd-gen trigger on the 1st-gen entry point)', async (t) => {
    const stack = await startStack({ env: { AUTH_MODE: 'none' }, target: 'triggerDagBackground' });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, binary(data))).status, 204);
    assert.equal(stack.airflow.runsOf(DAG)[0]?.conf['bucket'], 'legacy-bucket');
  });
});

describe("Google's official Cloud Storage payloads reach the conf unchanged", () => {
  const bodies = [
    ['examples', 'binary', 'storage', 'StorageObjectData-simple.json'],
    ['examples', 'binary', 'storage', 'StorageObjectData-complex.json'],
    ['testdata', 'google', 'events', 'cloud', 'storage', 'v1', 'StorageObjectData-simple.json'],
    ['testdata', 'google', 'events', 'cloud', 'storage', 'v1', 'StorageObjectData-complex.json'],
  ].map((parts) => ({ name: parts.join('/'), file: sharedFile('cloudevents', ...parts) }));
  const envelope = sharedFile(
    'cloudevents',
    'examples',
    'structured',
    'storage',
    'StorageObjectDataWorkflows.json',
  );
  const absent = 'skipped: ../shared/data/cloudevents is absent';

  it(
    'binary mode: the files as HTTP bodies',
    { skip: bodies.some((b) => !b.file) && absent },
    async (t) => {
      const stack = await startStack({ env: { AUTH_MODE: 'none' } });
      t.after(() => stack.stop());
      for (const { name, file } of bodies) {
        const text = readFileSync(file ?? '', 'utf8');
        const data = JSON.parse(text) as Record<string, unknown>;
        // Two files describe the same object version (sample-bucket/MyFile#96883251), which
        // rightly triggers once; start each file from an empty Airflow to see every conf.
        stack.airflow.runs.clear();
        const res = await deliver(stack.fn.url, binary(data, { id: name }, text));
        assert.equal(res.status, 204, name);
        const run = stack.airflow
          .runsOf(DAG)
          .find((r) => (r.conf['event'] as { id: string }).id === name);
        const { event, ...fields } = run?.conf ?? {};
        assert.ok(event, `run for ${name}`);
        assert.deepEqual(fields, data, name);
      }
    },
  );

  it('structured mode: the CloudEvent envelope', { skip: !envelope && absent }, async (t) => {
    const stack = await startStack({ env: { AUTH_MODE: 'none' } });
    t.after(() => stack.stop());
    const ce = JSON.parse(readFileSync(envelope ?? '', 'utf8')) as Record<string, unknown>;
    assert.equal(
      (await deliver(stack.fn.url, structured({ ...ce, time: new Date().toISOString() }))).status,
      204,
    );
    const [run] = stack.airflow.runsOf(DAG);
    const { event, ...fields } = run?.conf ?? {};
    assert.deepEqual(fields, ce['data']);
    assert.equal((event as { id: string }).id, ce['id']);
    assert.equal(run?.runId, 'gcs__sample-bucket~MyFile~96883251');
  });
});

describe('permissions', () => {
  it('403: one ERROR line that names 403 and the fix, a dead letter, acked (no redelivery loop)', async (t) => {
    const forbidden = {
      detail: 'You do not have permission to perform this action.',
      status: 403,
      title: 'Forbidden',
    };
    const stack = await startStack({
      env: { IAP_CLIENT_ID: '1-x.apps.googleusercontent.com' },
      airflow: { faults: () => ({ kind: 'status', status: 403, body: forbidden }) },
    });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, binary(objectData('b', 'n.csv', '1')))).status, 204);
    const lines = stack.fn.logs();
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.ok(line);
    assert.equal(line.severity, 'ERROR');
    assert.match(line.message ?? '', /^Airflow answered 403: You do not have permission/);
    assert.match(line.message ?? '', /accounts\.google\.com:NUMERIC_USER_ID/);
    assert.equal(line['deadLetter'], true);
    assert.equal(stack.airflow.posts.length, 1, 'not retried');
    for (const token of stack.metadata.issued)
      assert.ok(!stack.fn.stdout.includes(token) && !stack.fn.stderr.includes(token));
  });
});

describe('configuration at cold start', () => {
  it('a bad value stops the instance with one clear line naming the variable', async () => {
    await assert.rejects(
      FunctionProcess.start({
        env: { AIRFLOW_URL: 'http://airflow.example.com', AUTH_MODE: 'none' },
      }),
      (err: unknown) => {
        const text = err instanceof Error ? err.message : '';
        const ours = text.split('\n').filter((l) => l.startsWith('{"severity"'));
        assert.equal(ours.length, 1);
        const line = JSON.parse(ours[0] ?? '{}') as Record<string, unknown>;
        assert.equal(line['severity'], 'ERROR');
        assert.match(
          String(line['message']),
          /^Invalid configuration: AIRFLOW_URL must be .*\(got "http:\/\/airflow\.example\.com"\)$/,
        );
        return true;
      },
    );
  });
});
