/**
 * The README's transcripts are what the scripts print for the example settings, so a change to
 * a plan that is not carried into the README fails here (gcloud-parse.test.ts parses them too).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { commandLines, runScript } from '../helpers/cli';
import { ROOT } from '../helpers/paths';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const EXAMPLE = ['--settings', 'deploy/env.example.yaml', '--dry-run'];

describe('README: the transcripts are the scripts’ own output', () => {
  const cases: [string, string[], 'all' | 'commands'][] = [
    ['deploy.sh', [], 'all'],
    ['deploy.sh', ['--gen1'], 'commands'],
    ['deploy.sh', ['--cloud-run'], 'all'],
    ['iam.sh', [], 'all'],
    ['airflow-user.sh', [], 'all'],
    ['airflow-config.sh', ['--experimental-api'], 'all'],
    [
      'airflow-config.sh',
      [
        '--web-server-allow-ip',
        '203.0.113.7/32=function-nat',
        '--web-server-allow-ip',
        '198.51.100.0/24=office',
      ],
      'all',
    ],
  ];
  for (const [script, args, part] of cases) {
    it(`${script} ${args.join(' ')}`, async () => {
      const ran = await runScript(script, [...args, ...EXAMPLE]);
      assert.equal(ran.code, 0, ran.stderr);
      const expected = part === 'all' ? ran.stdout : `${commandLines(ran.stdout).join('\n')}\n`;
      assert.ok(README.includes(`\`\`\`sh\n${expected}\`\`\``), `README lacks:\n${expected}`);
    });
  }
});
