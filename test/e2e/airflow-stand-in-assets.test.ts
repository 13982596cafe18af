/**
 * The Airflow stand-in with assets (issue 12): `--asset` and `--scheduled-dag` declare assets and
 * the DAGs scheduled on them, it prints each asset event it records, and every `--schedule-ms`
 * each asset-triggered run with the extra of the events it consumed. Bad values: one line, exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, run } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { callJson } from '../helpers/json-http';
import { ROOT } from '../helpers/paths';

const STAND_IN = path.join(ROOT, 'build', 'test', 'airflow-stand-in.js');
const X = 'gs://bkt/in/x.csv';
const Y = 'gs://bkt/in/y.csv';

describe('airflow-stand-in: assets', () => {
  const cases: [string[], RegExp][] = [
    [
      ['--scheduled-dag', 'no-equals'],
      /^error: --scheduled-dag must be DAG_ID=URI .*\(got no-equals\)\n$/,
    ],
    [['--scheduled-dag', 'bad dag=gs://b/x'], /^error: --scheduled-dag must be DAG_ID=URI /],
    [['--scheduled-dag', 'dag='], /^error: --scheduled-dag must be DAG_ID=URI /],
    [
      ['--schedule-ms', '0'],
      /^error: --schedule-ms must be a whole number from 1 to 600000 \(got 0\)\n$/,
    ],
  ];
  for (const [args, line] of cases) {
    it(`${args.join(' ')}: one line, exit 2`, async () => {
      const ran = await run(process.execPath, [STAND_IN, ...args]);
      assert.equal(ran.code, 2, ran.stderr);
      assert.equal(ran.stdout, '');
      assert.match(ran.stderr, line);
    });
  }

  it('declares the assets, prints each event and each asset-triggered run', async (t) => {
    const args = [
      '--port',
      '0',
      '--asset',
      X,
      '--scheduled-dag',
      `audit=${Y}`,
      '--schedule-ms',
      '100',
    ];
    const child = spawn(process.execPath, [STAND_IN, ...args], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    // Waits on stdout events, not a timer, so nothing is left pending once it gave up.
    const line = (re: RegExp) => {
      let stop = (): void => undefined;
      const found = new Promise<RegExpExecArray>((resolve) => {
        const look = () => {
          const m = re.exec(out);
          if (m === null) return;
          stop();
          resolve(m);
        };
        stop = () => child.stdout.off('data', look);
        child.stdout.on('data', look);
        look();
      });
      return withDeadline(
        found,
        10_000,
        () => `waiting for ${re} (stdout: ${out})`,
        () => {
          stop();
        },
      );
    };
    const started = await line(
      /^Airflow stand-in on (http:\/\/127\.0\.0\.1:\d+) with DAG\(s\) composer_sample_trigger_response_dag; Ctrl-C to stop$/m,
    );
    const url = started[1] ?? '';
    await line(/^asset 1 gs:\/\/bkt\/in\/x\.csv, DAG\(s\) scheduled on it: on_gs_bkt_in_x\.csv$/m);
    await line(/^asset 2 gs:\/\/bkt\/in\/y\.csv, DAG\(s\) scheduled on it: audit$/m);
    const v2 = await callJson(url, 'POST', '/api/v2/assets/events', {
      asset_id: 1,
      extra: { name: 'in/x.csv' },
    });
    assert.equal(v2.status, 200);
    const v1 = await callJson(url, 'POST', '/api/v1/datasets/events', {
      dataset_uri: Y,
      extra: { n: 1 },
    });
    assert.equal(v1.status, 200);
    assert.equal(
      (await callJson(url, 'POST', '/api/v1/datasets/events', { dataset_uri: 'gs://b/z' })).status,
      404,
    );
    await line(
      /^recorded asset event 1 for gs:\/\/bkt\/in\/x\.csv \(API v2\)\n\{\n {2}"name": "in\/x\.csv",\n {2}"from_rest_api": true\n\}$/m,
    );
    await line(/^recorded asset event 2 for gs:\/\/bkt\/in\/y\.csv \(API v1\)\n/m);
    await line(
      /^created asset-triggered DAG run asset_triggered__\S+ of on_gs_bkt_in_x\.csv from 1 asset event\(s\) of gs:\/\/bkt\/in\/x\.csv\n\[\n {2}\{\n {4}"name": "in\/x\.csv",\n {4}"from_rest_api": true\n {2}\}\n\]$/m,
    );
    await line(
      /^created asset-triggered DAG run dataset_triggered__\S+ of audit from 1 asset event\(s\) of gs:\/\/bkt\/in\/y\.csv\n/m,
    );
    assert.doesNotMatch(out, /recorded asset event 3/);
  });
});
