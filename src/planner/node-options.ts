/**
 * `NODE_OPTIONS` of the deployed function: the V8 flags it runs with, written into the env-vars
 * file beside the settings' `env:` (Google's page sets NODE_OPTIONS the same way, with
 * `--set-env-vars`: cloud.google.com/functions/docs/migrating/nodejs-runtimes). Node accepts
 * `--max-semi-space-size` there (nodejs.org/api/cli.html#node_optionsoptions).
 *
 * `--max-semi-space-size=8`: V8's young generation at most 2 × 8 MiB instead of Node 22's 2 × 16.
 * A burst of 1000 events at concurrency 80 fills the default one in both the function and the
 * minimal reference (`npm run bench -- --memory`), and the halved one brought peak RSS from 1.16×
 * to 1.05× the reference's (0.98–1.00× at `--heap-limit 256`) with the same CPU per event and GC
 * pause time, once the per-event allocations of issue 20 were cut (docs/benchmark.md, "Peak
 * memory"). Before those cuts it cost up to 0.10 of the CPU ratio, so measure it again when the
 * per-event work grows.
 */
export const NODE_OPTIONS = '--max-semi-space-size=8';
