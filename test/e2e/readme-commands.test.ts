/**
 * The docs' transcripts are what the deploy scripts print for the example settings, so a change to
 * a plan that is not carried into the page that shows it fails here (gcloud-parse.test.ts parses
 * their gcloud lines too).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runScript } from '../helpers/cli';
import { ROOT } from '../helpers/paths';

const EXAMPLE = ['--settings', 'deploy/env.example.yaml', '--dry-run'];
// Where a checkout lives differs per machine; the page names it so.
const CHECKOUT = '/path/to/gcs-airflow-trigger';

/** The notes as the page shows them; a stale build's own note is the machine's, not the plan's. */
const notes = (stderr: string): string =>
  stderr
    .split('\n')
    .filter((line) => !line.startsWith('note: building the deploy tools'))
    .join('\n')
    .replaceAll(ROOT, CHECKOUT);

const page = (name: string): string => readFileSync(path.join(ROOT, 'docs', name), 'utf8');

interface Case {
  readonly page: string;
  readonly script: string;
  readonly args: readonly string[];
  /** The page shows the commands (stdout, an sh block) or the notes (stderr, a text block). */
  readonly shows: 'commands' | 'notes';
}

const cases: Case[] = [
  { page: 'deploy.md', script: 'deploy.sh', args: [], shows: 'commands' },
  { page: 'deploy.md', script: 'deploy.sh', args: ['--gen1'], shows: 'commands' },
  { page: 'deploy.md', script: 'deploy.sh', args: ['--cloud-run'], shows: 'commands' },
  { page: 'deploy.md', script: 'iam.sh', args: [], shows: 'commands' },
  { page: 'deploy.md', script: 'airflow-user.sh', args: [], shows: 'commands' },
  {
    page: 'deploy.md',
    script: 'airflow-user.sh',
    args: ['--airflow-version', '3.1.0'],
    shows: 'notes',
  },
  {
    page: 'airflow.md',
    script: 'airflow-config.sh',
    args: ['--experimental-api'],
    shows: 'commands',
  },
  {
    page: 'airflow.md',
    script: 'airflow-config.sh',
    args: [
      '--web-server-allow-ip',
      '203.0.113.7/32=function-nat',
      '--web-server-allow-ip',
      '198.51.100.0/24=office',
    ],
    shows: 'commands',
  },
];

describe('docs: the transcripts are the scripts’ own output', () => {
  for (const c of cases) {
    it(`docs/${c.page}: ${c.script} ${c.args.join(' ')} (${c.shows})`, async () => {
      const ran = await runScript(c.script, [...c.args, ...EXAMPLE]);
      assert.equal(ran.code, 0, ran.stderr);
      const printed = c.shows === 'commands' ? ran.stdout : notes(ran.stderr);
      assert.ok(printed.trim() !== '', `${c.script} printed no ${c.shows}`);
      const block = `\`\`\`${c.shows === 'commands' ? 'sh' : 'text'}\n${printed}\`\`\``;
      assert.ok(page(c.page).includes(block), `docs/${c.page} lacks:\n${block}`);
    });
  }
});
