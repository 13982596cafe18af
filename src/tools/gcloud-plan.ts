/**
 * The deploy scripts' one engine: deploy/deploy.sh, iam.sh, monitoring.sh, airflow-user.sh and airflow-config.sh
 * call `node build/src/tools/gcloud-plan.js COMMAND [options]`. Each command turns the settings file
 * and options into a plan (pure), then prints it (`--dry-run`) or runs it from the project root.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../basics/errors/usage-error';
import { parseCli, projectRoot, runMain } from './cli';
import { planAirflowConfig } from '../planner/plan-airflow-config';
import { planAirflowUser } from '../planner/plan-airflow-user';
import type { Flavor, Plan } from '../planner/plan-common';
import { envFileText, planDeploy } from '../planner/plan-deploy';
import { planIam } from '../planner/plan-iam';
import { alertPolicyText } from '../planner/alert-policy';
import { planMonitoring, wantsPolicy } from '../planner/plan-monitoring';
import { airflowConfigRequest, airflowUserRequest, chooseSettings } from '../planner/plan-options';
import { runSteps } from '../planner/run-steps';
import { clearCredentialLine, clearCredentials } from '../planner/plan-secrets';
import type { Placeholder } from '../planner/settings-placeholders';
import { isPlaceholder, placeholderError, placeholdersIn } from '../planner/settings-placeholders';
import { renderPlan } from '../planner/steps';
import { HELP } from './gcloud-plan-help';

const COMMON = {
  settings: { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const TARGET = {
  project: { type: 'string' },
  environment: { type: 'string' },
  location: { type: 'string' },
} as const;

const FLAVOR = {
  gen1: { type: 'boolean' },
  'cloud-run': { type: 'boolean' },
} as const;

function flavorOf(f: { readonly gen1?: boolean; readonly 'cloud-run'?: boolean }): Flavor {
  if (f.gen1 === true && f['cloud-run'] === true) {
    throw new UsageError('choose one of --gen1, --cloud-run');
  }
  if (f.gen1 === true) return 'gen1';
  return f['cloud-run'] === true ? 'cloud-run' : 'gen2';
}

const OPTIONS = {
  deploy: { ...COMMON, ...FLAVOR },
  iam: { ...COMMON, ...FLAVOR },
  monitoring: { ...COMMON, ...FLAVOR, 'metrics-only': { type: 'boolean' } },
  'airflow-user': {
    ...COMMON,
    ...TARGET,
    'service-account': { type: 'string' },
    role: { type: 'string' },
    'airflow-version': { type: 'string' },
  },
  'airflow-config': {
    ...COMMON,
    ...TARGET,
    'airflow-version': { type: 'string' },
    'experimental-api': { type: 'boolean' },
    'deny-api': { type: 'boolean' },
    'reset-api': { type: 'boolean' },
    'registration-role': { type: 'string' },
    'web-server-allow-all': { type: 'boolean' },
    'web-server-deny-all': { type: 'boolean' },
    'web-server-allow-ip': { type: 'string', multiple: true },
    'web-server-cpu': { type: 'string' },
    'web-server-memory': { type: 'string' },
    'web-server-machine-type': { type: 'string' },
  },
} as const;

type Command = keyof typeof OPTIONS;
const isCommand = (name: string | undefined): name is Command =>
  name !== undefined && Object.hasOwn(OPTIONS, name);

/** How the commands name a file: from the project root when inside it (they run there). */
function shown(file: string, root: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/**
 * A real run refuses the example's placeholders (issue 11, item 10): with them it would act on
 * someone else's project, or fail half way. A dry run shows the commands with them.
 */
function refusePlaceholders(
  found: readonly Placeholder[],
  file: string | undefined,
  root: string,
): void {
  if (found.length === 0) return;
  const where = file === undefined ? 'the command line' : shown(path.resolve(file), root);
  throw placeholderError(found, where, true);
}

/** The Composer environment a command acts on, where it is still the example's. */
const targetPlaceholders = (t: { readonly project: string; readonly environment: string }) =>
  [
    { key: 'project', value: t.project },
    { key: 'composer.environment', value: t.environment },
  ].filter(({ key, value }) => isPlaceholder(key, value));

/**
 * A password or token in env: reaches the function as a plain environment variable (issue 19,
 * item 3): a real deploy refuses it, a dry run shows the commands and says so. Names only, never
 * the value.
 */
function refuseClearCredentials(
  env: Readonly<Record<string, string>>,
  dryRun: boolean,
  notes: string[],
): void {
  const clear = clearCredentials(env);
  if (clear.length === 0) return;
  if (!dryRun) throw new UsageError(`refused: ${clearCredentialLine(clear)}`);
  notes.push(`a real run refuses this: ${clearCredentialLine(clear)}`);
}

interface Planned {
  readonly plan: Plan;
  readonly dryRun: boolean;
}

function plan(command: Command, args: readonly string[], root: string, notes: string[]): Planned {
  switch (command) {
    case 'deploy':
    case 'iam': {
      const { values: f } = parseCli(args, OPTIONS[command]);
      const chosen = chooseSettings(f.settings, root, f['dry-run'] === true, true);
      if (chosen === null) throw new UsageError('no settings');
      if (chosen.note !== undefined) notes.push(chosen.note);
      const flavor = flavorOf(f);
      const s = chosen.settings;
      const dryRun = f['dry-run'] === true;
      // The monitoring channel is deploy/monitoring.sh's; these commands never use it.
      const used = (key: string) => !key.startsWith('monitoring.');
      if (!dryRun) refusePlaceholders(placeholdersIn(s, used), s.file, root);
      if (command === 'iam') return { plan: planIam(s, flavor), dryRun };
      refuseClearCredentials(s.env, dryRun, notes);
      // gcloud reads --env-vars-file while parsing, so it is written in a dry run too.
      const envFile = path.join(path.dirname(path.resolve(s.file)), `.env.${s.name}.yaml`);
      mkdirSync(path.dirname(envFile), { recursive: true });
      writeFileSync(envFile, envFileText(s));
      notes.push(`wrote the function's environment to ${envFile}`);
      return { plan: planDeploy(s, flavor, shown(envFile, root)), dryRun };
    }
    case 'monitoring': {
      const { values: f } = parseCli(args, OPTIONS[command]);
      const dryRun = f['dry-run'] === true;
      const chosen = chooseSettings(f.settings, root, dryRun, true);
      if (chosen === null) throw new UsageError('no settings');
      if (chosen.note !== undefined) notes.push(chosen.note);
      const s = chosen.settings;
      // What the metrics and the policy name: the project and the channel.
      const used = (key: string) => key === 'project' || key.startsWith('monitoring.');
      if (!dryRun) refusePlaceholders(placeholdersIn(s, used), s.file, root);
      const request = { flavor: flavorOf(f), dryRun, metricsOnly: f['metrics-only'] === true };
      // gcloud reads --policy-from-file while parsing, so it is written in a dry run too.
      const policyFile = path.join(
        path.dirname(path.resolve(s.file)),
        `.alert-policy.${s.name}.yaml`,
      );
      if (wantsPolicy(s, request)) {
        writeFileSync(policyFile, alertPolicyText(s, request.flavor));
        notes.push(`wrote the alert policy to ${policyFile}`);
      }
      return {
        plan: planMonitoring(s, { ...request, policyFile: shown(policyFile, root) }),
        dryRun,
      };
    }
    case 'airflow-user': {
      const { values: f } = parseCli(args, OPTIONS[command]);
      const chosen = chooseSettings(f.settings, root, f['dry-run'] === true, false);
      if (chosen?.note !== undefined) notes.push(chosen.note);
      const request = airflowUserRequest(f, chosen?.settings ?? null);
      const dryRun = f['dry-run'] === true;
      if (!dryRun) refusePlaceholders(targetPlaceholders(request), chosen?.settings.file, root);
      return { plan: planAirflowUser(request), dryRun };
    }
    case 'airflow-config': {
      const { values: f } = parseCli(args, OPTIONS[command]);
      const chosen = chooseSettings(f.settings, root, f['dry-run'] === true, false);
      if (chosen?.note !== undefined) notes.push(chosen.note);
      const request = airflowConfigRequest(f, chosen?.settings ?? null);
      const dryRun = f['dry-run'] === true;
      if (!dryRun) refusePlaceholders(targetPlaceholders(request), chosen?.settings.file, root);
      return { plan: planAirflowConfig(request), dryRun };
    }
  }
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!isCommand(command)) {
    throw new UsageError(`the command must be one of ${Object.keys(OPTIONS).join(', ')}`);
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP[command]);
    return 0;
  }
  const root = projectRoot();
  const notes: string[] = [];
  const { plan: planned, dryRun } = plan(command, args, root, notes);
  const { steps } = planned;
  for (const note of [...notes, ...planned.notes]) process.stderr.write(`note: ${note}\n`);
  if (dryRun) {
    process.stderr.write(`note: dry run; the commands run from ${root}\n`);
    process.stdout.write(renderPlan(steps));
    return 0;
  }
  await runSteps(steps, { cwd: root, stderr: process.stderr });
  return 0;
}

runMain(main);
