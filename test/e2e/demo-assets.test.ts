import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { cleanEnv, run } from '../helpers/cli';
import { ROOT } from '../helpers/paths';

it('npm run demo -- --assets: a burst on an asset route becomes one scheduled run (issue 12)', async () => {
  const ran = await run(
    process.execPath,
    [path.join(ROOT, 'build', 'test', 'demo.js'), '--assets'],
    {
      env: cleanEnv(),
      deadlineMs: 30_000,
    },
  );
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^Burst: 12 files at once -> HTTP 204; 3 delivered again -> HTTP 204$/m);
  assert.match(ran.stdout, /^Function log outcomes: created 12, duplicate 3$/m);
  assert.match(ran.stdout, /^Asset events in Airflow: 12$/m);
  assert.match(
    ran.stdout,
    /^Scheduler loop: 1 run of load_landed_files, with 12 triggering_asset_events:$/m,
  );
  assert.equal(ran.stdout.match(/objectVersionKey=gcs__landing~incoming_part-/g)?.length, 12);
});
