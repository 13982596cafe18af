import { stringify } from 'yaml';
import { UsageError } from '../basics/errors/usage-error';
import { gen2AckDeadline } from './plan-ack-deadline';
import { planCloudRun } from './plan-cloud-run';
import type { Flavor, Plan } from './plan-common';
import { RUNTIME, buildFlags, flag, instanceFlags, triggerLocation } from './plan-common';
import { vpcFlags } from './plan-network';
import { secretFlags } from './plan-secrets';
import type { Settings } from './settings';
import type { Step } from './steps';

/** Memory sizes 1st gen accepts (gcloud help: 128MB … 8192MB). */
const GEN1_MEMORY_MB = [128, 256, 512, 1024, 2048, 4096, 8192];

/** The `--memory` value for 1st gen: `512Mi` → `512MB`; anything 1st gen has no size for is refused. */
export function gen1Memory(memory: string): string {
  const match = /^(\d+)(M|Mi|G|Gi)[bB]?$/.exec(memory);
  const mb = match ? Number(match[1]) * (match[2]?.startsWith('G') ? 1024 : 1) : Number.NaN;
  if (!GEN1_MEMORY_MB.includes(mb)) {
    throw new UsageError(
      `memory ${memory} is not a 1st gen size (${GEN1_MEMORY_MB.map((n) => `${n}Mi`).join(', ')})`,
    );
  }
  return `${mb}MB`;
}

/** The `--env-vars-file` content: the function's variables only, every value a string. */
export function envFileText(settings: Settings): string {
  return stringify(settings.env, { lineWidth: 0 });
}

function gen2(s: Settings, envFile: string): Plan {
  const where = triggerLocation(s);
  const deploy: Step = {
    why:
      '2nd gen: an Eventarc trigger delivers each finalized object; --retry redelivers when ' +
      'the function fails (Airflow unreachable), so no event is lost',
    argv: [
      'gcloud',
      'functions',
      'deploy',
      s.name,
      '--gen2',
      `--project=${s.project}`,
      `--region=${s.region}`,
      `--runtime=${RUNTIME}`,
      '--entry-point=triggerDag',
      '--source=.',
      `--trigger-bucket=${s.bucket}`,
      flag('trigger-location', where.value),
      `--trigger-service-account=${s.triggerServiceAccount}`,
      '--retry',
      `--service-account=${s.serviceAccount}`,
      ...instanceFlags(s),
      ...vpcFlags(s.vpc, 'gen2'),
      ...buildFlags(s),
      `--env-vars-file=${envFile}`,
      ...secretFlags(s.secrets, s.project),
    ],
  };
  const invoker: Step = {
    why:
      "the trigger's account may invoke this function only (roles/run.invoker on its Cloud Run " +
      'service); gcloud does not grant it, and without it every delivery is refused',
    argv: [
      'gcloud',
      'functions',
      'add-invoker-policy-binding',
      s.name,
      `--project=${s.project}`,
      `--region=${s.region}`,
      `--member=serviceAccount:${s.triggerServiceAccount}`,
    ],
  };
  return { steps: [...where.steps, deploy, invoker, ...gen2AckDeadline(s)], notes: [] };
}

/**
 * Whether 1st gen runs RUNTIME: Google's 1st gen runtime table
 * (https://cloud.google.com/functions/1stgendocs/concepts/execution-environment, "Node.js") lists
 * Node.js 22 as "1st gen, 2nd gen", nodejs22 on Ubuntu 22.04, and Node.js 24 and later as 2nd gen
 * only. It was not always so: at Node.js 22's launch the table said 2nd gen only, and 1st gen
 * refused it ("Runtime \"nodejs22\" is not supported on GCF Gen1",
 * https://github.com/firebase/firebase-functions/issues/1653, December 2024).
 */
const GEN1_RUNTIME_NOTE =
  `1st gen: runtime ${RUNTIME}, which Google's 1st gen runtime table lists for 1st gen and 2nd gen ` +
  '(Node.js 24 and later are 2nd gen only): ' +
  'https://cloud.google.com/functions/1stgendocs/concepts/execution-environment';

function gen1(s: Settings, envFile: string): Plan {
  const deploy: Step = {
    why:
      '1st gen: a background function on google.storage.object.finalize; --retry redelivers ' +
      'when the function fails. No 2nd gen flags: gcloud would ignore them silently',
    argv: [
      'gcloud',
      'functions',
      'deploy',
      s.name,
      '--no-gen2',
      `--project=${s.project}`,
      `--region=${s.region}`,
      `--runtime=${RUNTIME}`,
      '--entry-point=triggerDagBackground',
      '--source=.',
      `--trigger-resource=${s.bucket}`,
      '--trigger-event=google.storage.object.finalize',
      '--retry',
      `--service-account=${s.serviceAccount}`,
      `--memory=${gen1Memory(s.memory)}`,
      `--timeout=${s.timeoutSeconds}s`,
      `--max-instances=${s.maxInstances}`,
      ...vpcFlags(s.vpc, 'gen1'),
      ...buildFlags(s),
      `--env-vars-file=${envFile}`,
      ...secretFlags(s.secrets, s.project),
    ],
  };
  const unused = [
    s.triggerLocation === null ? '' : 'triggerLocation',
    s.triggerServiceAccount === s.serviceAccount ? '' : 'triggerServiceAccount',
  ].filter((x) => x !== '');
  const notes = [
    `1st gen: cpu and concurrency are 2nd gen settings and are not passed ` +
      `(one event per instance at a time)${unused.length > 0 ? `; nor ${unused.join(', ')}` : ''}`,
    GEN1_RUNTIME_NOTE,
  ];
  return { steps: [deploy], notes };
}

/**
 * The deploy commands for the flavor, run from the project root (`--source=.`, whose .gcloudignore
 * uploads only the build inputs). `envFile` is the path the env-vars file is written to, as the
 * commands name it.
 */
export function planDeploy(settings: Settings, flavor: Flavor, envFile: string): Plan {
  const plan =
    flavor === 'gen1'
      ? gen1(settings, envFile)
      : flavor === 'gen2'
        ? gen2(settings, envFile)
        : planCloudRun(settings, envFile);
  if (settings.routesFile === null) return plan;
  const routes = `ROUTES_FILE ${settings.routesFile}: its ${settings.config.routes.length} route(s) reach the function as ROUTES in ${envFile}`;
  return { ...plan, notes: [...plan.notes, `${routes} (the file itself is not uploaded)`] };
}
