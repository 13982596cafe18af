import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** The Node.js buildpack's headroom under the memory hint (its nodeJSHeadroomMB). */
const HEADROOM_MB = 64;
const LOAD_TIMEOUT_MS = 60_000;

/**
 * The V8 flags the deployed instance will run with, which name the cache's subfolder (another
 * `--max-old-space-size` is another folder, so a cache written without it would never be read).
 * Google's Node.js buildpack launches the function with
 * `NODE_OPTIONS=--max-old-space-size=<GOOGLE_CONTAINER_MEMORY_HINT_MB - 64>` when the build sees
 * that hint, and with no flag otherwise (GoogleCloudPlatform/buildpacks,
 * cmd/nodejs/functions_framework/lib/lib.go, getMaxOldSpaceSize); gcp-build runs in the same
 * build, so it sees the same hint.
 */
export function runtimeNodeOptions(env: Readonly<Record<string, string | undefined>>): string {
  const hint = Number(env['GOOGLE_CONTAINER_MEMORY_HINT_MB']);
  return Number.isInteger(hint) && hint > HEADROOM_MB
    ? `--max-old-space-size=${hint - HEADROOM_MB}`
    : '';
}

/**
 * Loads the bundle's `main` once in a child process with the cache on, and writes the cache into
 * `bundleDir`/compile-cache. The child gets a settings set that starts without any network
 * (AUTH_MODE=none, an Airflow URL nobody is asked) and exits as soon as the cache is written.
 * Best effort, like the buildpack's own cache step: a failure (a load that throws, exits or hangs
 * past `timeoutMs`, when the child is killed) leaves no cache folder, so the instance does not
 * enable an empty one, and a warning, never a failed build.
 */
export function writeCompileCache(
  bundleDir: string,
  env: Readonly<Record<string, string | undefined>>,
  {
    timeoutMs = LOAD_TIMEOUT_MS,
    warn = (line: string) => process.stderr.write(`${line}\n`),
  }: { timeoutMs?: number; warn?: (line: string) => void } = {},
): boolean {
  const cacheDir = path.join(bundleDir, 'compile-cache');
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const ran = spawnSync(
    process.execPath,
    [path.join(__dirname, 'warm-cache.js'), path.join(bundleDir, 'index.js')],
    {
      cwd: path.dirname(bundleDir),
      env: {
        PATH: env['PATH'] ?? '',
        NODE_OPTIONS: runtimeNodeOptions(env),
        AIRFLOW_URL: 'http://127.0.0.1:9',
        AUTH_MODE: 'none',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    },
  );
  if (ran.status === 0) {
    try {
      readableByAll(cacheDir);
      return true;
    } catch (err) {
      // Another build of the same folder at the same moment removed it under us: its own cache
      // will be there, or none, and either starts.
      warn(`warning: the compile cache changed while it was written: ${String(err)}`);
      return false;
    }
  }
  rmSync(cacheDir, { recursive: true, force: true });
  const why = ran.error?.message ?? ran.stderr.trim().split('\n').slice(-3).join(' | ');
  warn(`warning: no compile cache written (the function starts without it): ${why}`);
  return false;
}

/**
 * Node writes its cache files for their owner alone (0600). The instance may run as another user
 * than the build (a build as root, a run as `cnb`): a cache it cannot read is only a miss, but a
 * miss nonetheless. The files hold compiled code of the bundle, which is public within the image.
 */
function readableByAll(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    chmodSync(file, entry.isDirectory() ? 0o755 : 0o644);
  }
}
