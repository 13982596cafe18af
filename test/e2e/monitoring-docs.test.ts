/**
 * docs/monitoring.md shows what the code makes today: the commands deploy/monitoring.sh prints for
 * the example settings (as docs/deploy.md's transcripts are checked), and the two Airflow UI links
 * it gives as examples.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { dagRunUiUrl } from '../../src/function/airflow/ui-link';
import { makeRunId } from '../../src/function/run-id';
import { runScript } from '../helpers/cli';
import { ROOT } from '../helpers/paths';

const page = (): string => readFileSync(path.join(ROOT, 'docs', 'monitoring.md'), 'utf8');

describe('docs/monitoring.md', () => {
  it('shows the commands deploy/monitoring.sh prints for deploy/env.example.yaml', async () => {
    const ran = await runScript('monitoring.sh', [
      ...['--settings', 'deploy/env.example.yaml', '--dry-run'],
    ]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /policies create/, 'the example names a channel, so a policy');
    const block = `\`\`\`sh\n${ran.stdout}\`\`\``;
    assert.ok(page().includes(block), `docs/monitoring.md lacks:\n${block}`);
  });

  it('shows the links the function logs for its example run, Airflow 2 then 3', () => {
    const at = page().indexOf('<!-- dagRunUiUrl for these');
    assert.ok(at >= 0, 'no marker before the example links');
    const shown = /```text\n([\s\S]*?)```/.exec(page().slice(at))?.[1]?.trim().split('\n');
    const base = 'https://example-dot-europe-west1.composer.googleusercontent.com';
    const runId = makeRunId(
      'my-incoming-bucket',
      'orders-2026-11-30T08:00:00+01:00.csv',
      '1764489600000001',
    );
    const dag = 'composer_sample_trigger_response_dag';
    assert.deepEqual(shown, [
      dagRunUiUrl(base, 'v1', dag, runId),
      dagRunUiUrl(base, 'v2', dag, runId),
    ]);
  });
});
