import type { Generation, Plan } from './plan-deploy';
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

function accounts(s: Settings, generation: Generation): Step[] {
  const steps: Step[] = [];
  const runtime = ownId(s, s.serviceAccount);
  if (runtime !== null) {
    steps.push(
      createAccount(
        s,
        runtime,
        "the function's own identity, holding only the grants below (not the default compute account, which has Editor)",
        `Identity of the Cloud Function ${s.name}: starts Airflow DAG runs for new objects in gs://${s.bucket}`,
      ),
    );
  }
  const trigger = ownId(s, s.triggerServiceAccount);
  if (generation === 2 && s.triggerServiceAccount !== s.serviceAccount && trigger !== null) {
    steps.push(
      createAccount(
        s,
        trigger,
        "the trigger's own identity: it may only receive events and invoke this function",
        `Eventarc trigger of the Cloud Function ${s.name}: invokes it for new objects in gs://${s.bucket}`,
      ),
    );
  }
  return steps;
}

function deployers(s: Settings, generation: Generation): Step[] {
  const used = generation === 2 ? [s.serviceAccount, s.triggerServiceAccount] : [s.serviceAccount];
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

function airflow(s: Settings): Step[] {
  if (s.config.auth.mode !== 'google') return [];
  return [
    {
      why: 'Composer 2/3: the Airflow web server admits a Google-token caller only with roles/composer.user (read-only on environments; Composer roles exist at project level only)',
      argv: projectGrant(s, `serviceAccount:${s.serviceAccount}`, 'roles/composer.user'),
    },
  ];
}

function eventarc(s: Settings): Step[] {
  return [
    {
      why: "2nd gen: the trigger's account receives the bucket's events (Eventarc grants this role at project level only)",
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
      why: "2nd gen: Cloud Storage publishes the bucket's events to the trigger's Pub/Sub topic as its service agent",
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
  const dead = s.deadLetterBucket;
  const writer =
    dead === null
      ? []
      : [
          {
            why:
              `DEAD_LETTER_URI: the function creates records in gs://${dead}; replay, run as this account, ` +
              'gets, lists and deletes them. roles/storage.objectUser is the smallest predefined role with all four ' +
              '(objectCreator cannot delete, objectViewer cannot write, objectAdmin adds IAM), on this bucket only',
            argv: bucketGrant(dead, member, 'roles/storage.objectUser'),
          },
        ];
  return [...readers, ...writer];
}

function notes(s: Settings, generation: Generation): string[] {
  const out: string[] = [];
  if (ownId(s, s.serviceAccount) === null) {
    out.push(
      `${s.serviceAccount} is not an account of ${s.project}: it is used as is, not created`,
    );
  }
  if (s.config.auth.mode === 'iap') {
    out.push(
      "AUTH_MODE=iap (Composer 1): no Composer role is granted; Airflow decides by the account's Airflow user: register it with deploy/airflow-user.sh",
    );
  }
  if (generation === 2) {
    out.push(
      `deploy/deploy.sh grants ${s.triggerServiceAccount} roles/run.invoker on the function once it exists`,
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
export function planIam(s: Settings, generation: Generation): Plan {
  return {
    steps: [
      ...accounts(s, generation),
      ...deployers(s, generation),
      ...airflow(s),
      ...(generation === 2 ? eventarc(s) : []),
      ...buckets(s),
    ],
    notes: notes(s, generation),
  };
}
