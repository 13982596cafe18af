import type { Flavor, Plan } from './plan-common';
import { deadLetterSteps } from './plan-dead-letter-iam';
import { secretAccessSteps } from './plan-secret-iam';
import { enableApis } from './plan-services';
import { composerCommandSteps, transportOf } from './plan-transport';
import type { Settings } from './settings';
import type { Ref, Step } from './steps';

const AGENT = 'GCS_SERVICE_AGENT';

/** `member` is a principal, or a reference to one an earlier step found out. */
const projectGrant = (s: Settings, member: string | Ref, role: string): Step['argv'] => [
  'gcloud',
  'projects',
  'add-iam-policy-binding',
  s.project,
  typeof member === 'string' ? `--member=${member}` : ['--member=serviceAccount:', member],
  `--role=${role}`,
  // Never prompt about conditional bindings already in the policy: add an unconditional one.
  '--condition=None',
];

const bucketGrant = (bucket: string, member: string, role: string) => [
  'gcloud',
  'storage',
  'buckets',
  'add-iam-policy-binding',
  `gs://${bucket}`,
  `--member=${member}`,
  `--role=${role}`,
];

const ownId = (s: Settings, email: string): string | null => {
  const own = `@${s.project}.iam.gserviceaccount.com`;
  return email.endsWith(own) ? email.slice(0, -own.length) : null;
};

function createAccount(s: Settings, id: string, why: string, description: string): Step {
  return {
    why,
    argv: [
      'gcloud',
      'iam',
      'service-accounts',
      'create',
      id,
      `--project=${s.project}`,
      `--display-name=GCS to Airflow trigger (${s.name})`,
      // The IAM API takes at most 256 bytes of description (a long bucket name could pass it).
      `--description=${description.slice(0, 256)}`,
    ],
    alreadyDone: /already exists/i,
  };
}

/** The accounts of this project the settings name, each created once, with what it is for. */
function accounts(s: Settings, flavor: Flavor): Step[] {
  const wanted: [string | null, string, string][] = [
    [
      s.serviceAccount,
      "the function's own identity, holding only the grants below (not the default compute account, which has Editor)",
      `Identity of the Cloud Function ${s.name}: starts Airflow DAG runs for new objects in gs://${s.bucket}`,
    ],
    [
      flavor === 'gen1' ? null : s.triggerServiceAccount,
      "the trigger's own identity: it may only receive events and invoke this function",
      `Eventarc trigger of the Cloud Function ${s.name}: invokes it for new objects in gs://${s.bucket}`,
    ],
    [
      s.buildServiceAccount,
      "Cloud Build's identity for this function's builds: it may only read the source, push the image and write build logs",
      `Cloud Build account of the Cloud Function ${s.name}: builds its source`,
    ],
  ];
  const seen = new Set<string>();
  return wanted.flatMap(([email, why, description]) => {
    const id = email === null || seen.has(email) ? null : ownId(s, email);
    if (email !== null) seen.add(email);
    return id === null ? [] : [createAccount(s, id, why, description)];
  });
}

/** The accounts a deploy acts as: the runtime one, the trigger's, Cloud Build's. */
function usedAccounts(s: Settings, flavor: Flavor): string[] {
  return [
    s.serviceAccount,
    ...(flavor === 'gen1' ? [] : [s.triggerServiceAccount]),
    ...(s.buildServiceAccount === null ? [] : [s.buildServiceAccount]),
  ];
}

function deployers(s: Settings, flavor: Flavor): Step[] {
  const used = usedAccounts(s, flavor);
  return s.deployers.flatMap((member) =>
    [...new Set(used)].map((sa) => ({
      why: `${member} may deploy a function that runs as ${sa} (iam.serviceAccounts.actAs), on this account only`,
      argv: [
        'gcloud',
        'iam',
        'service-accounts',
        'add-iam-policy-binding',
        sa,
        `--project=${s.project}`,
        `--member=${member}`,
        '--role=roles/iam.serviceAccountUser',
      ],
    })),
  );
}

/**
 * The web server of every Composer version admits a caller only with composer.environments.get
 * (roles/composer.user): "If an account does not have a role that can view Cloud Composer
 * environments in your project, then Airflow UI and DAG UI are not available"
 * (https://cloud.google.com/composer/docs/composer-3/airflow-rbac, Composer 1 | 2 | 3). On
 * Composer 1 that check is IAP's, before Airflow looks at the account's Airflow user.
 */
function airflow(s: Settings): Step[] {
  if (transportOf(s) === 'composer-api') return composerCommandSteps(s);
  const mode = s.config.auth.mode;
  if (mode === 'none') return [];
  const why =
    mode === 'iap'
      ? 'Composer 1: IAP admits a caller to the web server only with composer.environments.get (roles/composer.user, read-only on environments, project level only); then Airflow checks its Airflow user'
      : 'Composer 2/3: the Airflow web server admits a Google-token caller only with roles/composer.user (read-only on environments; Composer roles exist at project level only)';
  return [
    { why, argv: projectGrant(s, `serviceAccount:${s.serviceAccount}`, 'roles/composer.user') },
  ];
}

/**
 * What a user-specified Cloud Build account needs, as Google lists it per deploy path. Project
 * level: the repositories and source buckets are created by the first deploy, so they cannot be
 * named yet.
 * - `gcloud functions deploy` (2nd gen; 1st gen's page, functions/1stgendocs/securing/build-custom-sa,
 *   lists these too): https://cloud.google.com/functions/docs/securing/build-custom-sa, "Grant
 *   permissions": roles/logging.logWriter (build logs in Cloud Logging),
 *   roles/artifactregistry.writer (build images in Artifact Registry, gcf-artifacts) and
 *   roles/storage.objectAdmin, which Cloud Run's page for functions explains: "for retrieving the
 *   function source from the Cloud Storage bucket, and to store build images in Artifact
 *   Registry". roles/storage.objectViewer, granted before, only reads.
 * - `gcloud run deploy --source --function` (--cloud-run):
 *   https://cloud.google.com/run/docs/configuring/services/build-service-account, "Required
 *   roles": "grant the Cloud Build service account the Cloud Run Builder (roles/run.builder) role
 *   on your project", one role for logs, the cloud-run-source-deploy repository and the source.
 */
const BUILD_ROLES: Readonly<Record<Flavor, readonly (readonly [string, string])[]>> = {
  gen2: [
    ['roles/logging.logWriter', 'writes the build logs'],
    ['roles/artifactregistry.writer', 'pushes the image (gcf-artifacts)'],
    ['roles/storage.objectAdmin', 'reads the uploaded source and stores what the build keeps'],
  ],
  gen1: [
    ['roles/logging.logWriter', 'writes the build logs'],
    ['roles/artifactregistry.writer', 'pushes the image (gcf-artifacts)'],
    ['roles/storage.objectAdmin', 'reads the uploaded source and stores what the build keeps'],
  ],
  'cloud-run': [
    [
      'roles/run.builder',
      'builds from source for Cloud Run (build logs, the image in cloud-run-source-deploy, the uploaded source)',
    ],
  ],
};

function build(s: Settings, flavor: Flavor): Step[] {
  const account = s.buildServiceAccount;
  if (account === null) return [];
  return BUILD_ROLES[flavor].map(([role, what]) => ({
    why: `buildServiceAccount: Cloud Build ${what} as ${account}`,
    argv: projectGrant(s, `serviceAccount:${account}`, role),
  }));
}

function eventarc(s: Settings): Step[] {
  return [
    {
      why: "2nd gen and Cloud Run: the trigger's account receives the bucket's events (Eventarc grants this role at project level only)",
      argv: projectGrant(
        s,
        `serviceAccount:${s.triggerServiceAccount}`,
        'roles/eventarc.eventReceiver',
      ),
    },
    {
      why: "the project's Cloud Storage service agent, service-PROJECT_NUMBER@gs-project-accounts.iam.gserviceaccount.com",
      argv: ['gcloud', 'storage', 'service-agent', `--project=${s.project}`],
      capture: AGENT,
    },
    {
      why: "2nd gen and Cloud Run: Cloud Storage publishes the bucket's events to the trigger's Pub/Sub topic as its service agent",
      argv: projectGrant(s, { ref: AGENT }, 'roles/pubsub.publisher'),
    },
  ];
}

function buckets(s: Settings): Step[] {
  const member = `serviceAccount:${s.serviceAccount}`;
  const readers = s.contentBuckets.map((bucket) => ({
    why: `a content route reads objects of gs://${bucket} (storage.objects.get, pinned to the event's generation): read-only, this bucket only`,
    argv: bucketGrant(bucket, member, 'roles/storage.objectViewer'),
  }));
  return [...readers, ...deadLetterSteps(s)];
}

function notes(s: Settings, flavor: Flavor): string[] {
  const out: string[] = [];
  if (ownId(s, s.serviceAccount) === null) {
    out.push(
      `${s.serviceAccount} is not an account of ${s.project}: it is used as is, not created`,
    );
  }
  if (s.config.auth.mode === 'iap' && transportOf(s) === 'rest') {
    out.push(
      "AUTH_MODE=iap (Composer 1): past IAP, Airflow decides by the account's Airflow user: register it with deploy/airflow-user.sh",
    );
  }
  if (s.buildServiceAccount === null) {
    out.push(
      "no buildServiceAccount: Cloud Build builds as the project's default build account, which in " +
        'projects created since July 2024 may be the Compute Engine default account without ' +
        'roles/cloudbuild.builds.builder; gcloud then asks whether to go on and the build may fail. ' +
        'Set buildServiceAccount to have this script create one with only what a build needs',
    );
  }
  if (s.replayers.length > 0 && s.deadLetterBucket === null) {
    out.push(
      'replayers are listed but env.DEAD_LETTER_URI is not set: no dead letters are kept, so none is granted',
    );
  }
  if (flavor !== 'gen1') {
    out.push(
      `deploy/deploy.sh grants ${s.triggerServiceAccount} roles/run.invoker on the ${flavor === 'gen2' ? 'function' : 'service'} once it exists`,
    );
  } else {
    out.push('1st gen: Cloud Storage calls the function directly; no Eventarc or Pub/Sub grants');
  }
  return out;
}

/**
 * Least privilege for one function: a dedicated account and only the grants its settings call
 * for, each at the narrowest level the role exists at (a bucket, the function, else the project).
 */
export function planIam(s: Settings, flavor: Flavor): Plan {
  return {
    steps: [
      enableApis(s, flavor),
      ...accounts(s, flavor),
      ...deployers(s, flavor),
      ...airflow(s),
      ...build(s, flavor),
      ...(flavor === 'gen1' ? [] : eventarc(s)),
      ...buckets(s),
      ...secretAccessSteps(s),
    ],
    notes: notes(s, flavor),
  };
}
