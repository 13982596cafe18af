/**
 * gcloud's own parser for many command lines in one process (issue 17, item 5). One `gcloud`
 * process per line cost a Python start and a load of the CLI tree each: the parse test ran 106 s
 * alone on a busy 2-core machine and was cancelled at the 120 s per-file timeout inside the full
 * run. Here bash expands the lines once (what the shell would pass to gcloud, quoting and `$VAR`
 * included), and one Python process builds gcloud's CLI (googlecloudsdk/gcloud_main.py, CreateCLI)
 * and runs `Execute(argv)` for each, as gcloud's own entry point does for one; calliope's Execute
 * pushes and pops its invocation state per call (calliope/cli.py) so that commands can run one
 * after the other in a process, as gcloud's own tests do. Each command's stderr and exit code are
 * those the `gcloud` binary prints (the parse test compares both forms on the same lines).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run, tempDir } from './cli';
import { gcloudEnv } from './gcloud';

export interface Parsed {
  /** gcloud's exit status: 1 for an error of the command (no account), 2 for a usage error. */
  readonly code: number;
  readonly stderr: string;
}

/** Single-quoted for bash, whatever the text holds. */
const quoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The argv bash gives the first `gcloud` of each line (none: an empty list), each line after
 * `prelude` as if run alone: a shell function named gcloud records its arguments, NUL-separated,
 * in a file instead of running.
 */
export async function gcloudArgvs(lines: readonly string[], prelude = ''): Promise<string[][]> {
  const out = path.join(tempDir('gcloud-argv-'), 'argv');
  const script = [
    `gcloud() { local a; for a in "$@"; do printf '%s\\0' "$a"; done >> ${quoted(out)}; printf '\\1\\0' >> ${quoted(out)}; }`,
    `: > ${quoted(out)}`,
    prelude,
    // Each line in a subshell of its own, so that one line's assignments never reach the next.
    ...lines.map((line) => `printf '\\2\\0' >> ${quoted(out)}; (eval -- ${quoted(line)})`),
  ].join('\n');
  const ran = await run('bash', ['-c', script], { env: gcloudEnv() });
  assert.equal(ran.code, 0, ran.stderr);
  const perLine = readFileSync(out, 'utf8').split('\u0002\u0000').slice(1);
  assert.equal(perLine.length, lines.length, 'one record per line');
  return perLine.map((record) => {
    const first = record.split('\u0001\u0000')[0] ?? '';
    return first === '' ? [] : first.slice(0, -1).split('\u0000');
  });
}

/** The Python that runs gcloud's CLI once per argv, each with its own stdout and stderr. */
const DRIVER = (argvs: readonly (readonly string[])[]) => `
import io, json, sys
from googlecloudsdk import gcloud_main
from googlecloudsdk.core import log
cli = gcloud_main.CreateCLI([])
real = sys.stdout, sys.stderr
results = []
for argv in json.loads(${JSON.stringify(JSON.stringify(argvs))}):
    out, err = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = out, err
    log.Reset(out, err)
    code = 0
    try:
        cli.Execute(argv)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException as e:
        code = -1
        err.write('driver: ' + repr(e))
    finally:
        sys.stdout, sys.stderr = real
    results.append({'code': code, 'stderr': err.getvalue()})
log.Reset()
sys.stdout.write(json.dumps(results))
`;

/** Each argv parsed and run by gcloud (offline, empty config), in one Python process. */
export async function gcloudParse(argvs: readonly (readonly string[])[]): Promise<Parsed[]> {
  const info = await run(
    'gcloud',
    ['info', '--format=value(installation.sdk_root,basic.python_location)'],
    { env: gcloudEnv() },
  );
  const [root = '', python = 'python3'] = info.stdout.trim().split('\t');
  const paths = [path.join(root, 'lib'), path.join(root, 'lib', 'third_party')];
  const prelude = `import sys; sys.path[:0] = ${JSON.stringify(paths)}`;
  // About 0.1 s a command once the CLI is loaded; the deadline leaves a busy machine 10 times that.
  const ran = await run(python, ['-c', `${prelude}\n${DRIVER(argvs)}`], {
    env: gcloudEnv(),
    deadlineMs: 20_000 + argvs.length * 1_000,
  });
  assert.equal(ran.code, 0, ran.stderr);
  return JSON.parse(ran.stdout) as Parsed[];
}
