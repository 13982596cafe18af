/**
 * The local Cloud Storage stand-in (`npm run gcs-stand-in`, issue 17 item 8) as docs/development.md
 * shows it: its --help is on the page, a bad option is one line and exit 2, and the page's story
 * runs: the function under the real Functions Framework keeps a dead letter in it
 * (DEAD_LETTER_URI + STORAGE_EMULATOR_HOST), then `replay` reads it back, creates the run and
 * deletes the record, and the stand-in prints the write and the delete.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, run } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { binary, deliver, objectData } from '../helpers/events';
import { ROOT } from '../helpers/paths';
import { replayCli } from '../helpers/replay-cli';
import { startStack } from '../helpers/stack';

const STAND_IN = path.join(ROOT, 'build', 'test', 'gcs-stand-in.js');
const PAGE = readFileSync(path.join(ROOT, 'docs', 'development.md'), 'utf8');
const DEAD_LETTERS = 'gs://dead-letters/trigger/';

describe('gcs-stand-in', () => {
  it('--help is on docs/development.md as it is; a bad option is one line, exit 2', async () => {
    const help = await run(process.execPath, [STAND_IN, '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: gcs-stand-in \[--port N\]\n/);
    assert.ok(PAGE.includes('npm run -s gcs-stand-in -- --help'));
    assert.ok(PAGE.includes(`\`\`\`text\n${help.stdout}\`\`\``), `the page lacks:\n${help.stdout}`);
    const bad = await run(process.execPath, [STAND_IN, '--port', 'eighty']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'error: --port must be a whole number from 0 to 65535 (got eighty)\n');
  });

  it(
    "the page's story: the function keeps a dead letter in it, replay creates the run and deletes the record",
    { timeout: 60_000 },
    async (t) => {
      const child = spawn(process.execPath, [STAND_IN, '--port', '0'], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      t.after(() => child.kill('SIGKILL'));
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
      const line = (re: RegExp) =>
        withDeadline(
          new Promise<RegExpExecArray>((resolve) => {
            const look = () => {
              const m = re.exec(out);
              if (m) resolve(m);
              else setTimeout(look, 20);
            };
            look();
          }),
          10_000,
          () => `waiting for ${re} (stdout: ${out})`,
        );
      const started = await line(
        /^Cloud Storage stand-in on (http:\/\/127\.0\.0\.1:\d+); STORAGE_EMULATOR_HOST=\1; Ctrl-C to stop$/m,
      );
      const env = {
        AUTH_MODE: 'none',
        DAG_ID: 'load_sales',
        DAG_NOT_FOUND_GRACE_SECONDS: '0',
        DEAD_LETTER_URI: DEAD_LETTERS,
        STORAGE_EMULATOR_HOST: started[1] ?? '',
      };
      const stack = await startStack({ airflow: { dags: [] }, env });
      t.after(() => stack.stop());
      const event = objectData('my-bucket', 'incoming/orders.csv', '1700000000000001');
      assert.equal((await deliver(stack.fn.url, binary(event))).status, 204);
      const wrote = await line(
        /^wrote gs:\/\/dead-letters\/(trigger\/gcs__my-bucket~incoming_orders\.csv~1700000000000001~h[0-9a-f]{24}\.json)#(\d+) \(\d+ bytes\)$/m,
      );
      const cliEnv = { ...env, AIRFLOW_URL: stack.airflow.url };

      stack.airflow.dags.add('load_sales');
      const dry = await replayCli(cliEnv, ['--dry-run', DEAD_LETTERS]);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(
        dry.stdout,
        /^dry-run +trigger\/\S+: would replay run gcs__my-bucket~incoming_orders\.csv~1700000000000001~h[0-9a-f]{24} of load_sales \(was: /m,
      );
      const real = await replayCli(cliEnv, [DEAD_LETTERS]);
      assert.equal(real.code, 0, real.stdout + real.stderr);
      assert.match(real.stdout, /: 1 record\(s\), replayed 1, 0 remaining\n$/);
      assert.equal(stack.airflow.runsOf('load_sales').length, 1);
      await line(
        new RegExp(
          `^delete gs://dead-letters/${(wrote[1] ?? '').replace(/[.~]/g, '\\$&')}#${wrote[2] ?? ''}$`,
          'm',
        ),
      );
      for (const l of out.trim().split('\n')) t.diagnostic(l);
    },
  );
});
