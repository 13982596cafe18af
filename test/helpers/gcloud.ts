/**
 * gcloud offline: whether it is installed, an environment with an empty config (no account, so
 * nothing reaches Google), and its own Python modules to ask how gcloud reads a file or a filter.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cleanEnv, run, tempDir } from './cli';

export const HAVE_GCLOUD = spawnSync('bash', ['-c', 'command -v gcloud']).status === 0;
export const SKIP_WITHOUT_GCLOUD = HAVE_GCLOUD
  ? false
  : 'gcloud is not installed (command -v gcloud found nothing)';

/** A gcloud invocation with a fresh empty config dir. */
export const gcloudEnv = (): Record<string, string> =>
  cleanEnv({ CLOUDSDK_CONFIG: tempDir('gcloud-config-') });

/** Runs Python lines with gcloud's own modules (its interpreter, its lib/); prints their stdout. */
export async function gcloudPython(lines: readonly string[]): Promise<string> {
  const info = await run(
    'gcloud',
    ['info', '--format=value(installation.sdk_root,basic.python_location)'],
    { env: gcloudEnv() },
  );
  const [root = '', python = 'python3'] = info.stdout.trim().split('\t');
  const paths = [path.join(root, 'lib'), path.join(root, 'lib', 'third_party')];
  const prelude = `import sys; sys.path[:0] = ${JSON.stringify(paths)}`;
  const ran = await run(python, ['-c', [prelude, ...lines].join('\n')], {
    env: gcloudEnv(),
    cwd: tempDir('gcloud-python-'),
  });
  assert.equal(ran.code, 0, ran.stderr);
  return ran.stdout;
}
