/**
 * Who may write and who may replay the dead letters under DEAD_LETTER_URI (issue 17, item 2).
 * Replay runs what a record says (its object, its DAG, its conf) under the replaying operator's
 * Airflow identity, so anyone who can create a record there can have runs made for them: the
 * function's account must be the only one, besides the bucket's and project's admins, that may
 * create objects under the prefix. So:
 * - the bucket is IAM-only: "When you enable uniform bucket-level access on a bucket, only
 *   bucket-level Identity and Access Management (IAM) roles grant access to the bucket and its
 *   objects, and individual object Access Control Lists (ACLs) no longer apply"
 *   (https://cloud.google.com/storage/docs/using-uniform-bucket-level-access), so no ACL lets
 *   another writer in; Cloud Storage takes IAM Conditions only on such buckets
 *   (https://cloud.google.com/storage/docs/access-control/iam, "IAM Conditions");
 * - the function's account holds roles/storage.objectUser only under the prefix, by an IAM
 *   condition on the object's name (`resource.name.startsWith("projects/_/buckets/B/objects/P")`,
 *   the name format of https://cloud.google.com/iam/docs/conditions-resource-attributes). Its
 *   writes are create-only (ifGenerationMatch=0); roles/storage.objectCreator would carry them,
 *   but whether Cloud Storage answers a create-only account's write of a record that exists with
 *   the 412 the function takes for "already kept", or with a 403 (replacing needs
 *   storage.objects.delete), is not documented, and a 403 would hand back a delivery for good;
 * - each of `replayers` holds a custom role with only storage.objects.get, list and delete: it
 *   reads and removes records, and cannot create one. Listing is checked on the bucket, not on an
 *   object, so the condition lets the bucket through besides the objects under the prefix.
 */
import { UsageError } from '../basics/errors/usage-error';
import { claimsLocation } from '../function/claims';
import { fallbackTarget } from '../function/config';
import { hasAssetTarget } from '../function/routes';
import type { Settings } from './settings';
import type { Step } from './steps';

/** One custom role per project, shared by every function's replayers: the same three permissions. */
export const REPLAYER_ROLE_ID = 'gcsAirflowTriggerDeadLetterReplayer';
const REPLAYER_PERMISSIONS = [
  'storage.objects.get',
  'storage.objects.list',
  'storage.objects.delete',
];

/** The prefix as IAM names it; refused where gcloud's --condition KEY=VALUE,… or CEL would misread it. */
function prefixResource(bucket: string, path: string): string {
  if (/[",\\\n]/.test(path)) {
    throw new UsageError(
      `DEAD_LETTER_URI gs://${bucket}/${path}: deploy/iam.sh cannot put a prefix with '"', ',' or '\\' ` +
        'in an IAM condition; choose a prefix of letters, digits, "-", "_", "." and "/"',
    );
  }
  return `projects/_/buckets/${bucket}/objects/${path}`;
}

const condition = (expression: string, title: string, description: string): string =>
  `--condition=expression=${expression},title=${title},description=${description}`;

function bucketGrant(bucket: string, member: string, role: string, cond: string): Step['argv'] {
  return [
    ...['gcloud', 'storage', 'buckets', 'add-iam-policy-binding', `gs://${bucket}`],
    ...[`--member=${member}`, `--role=${role}`, cond],
  ];
}

function replayerSteps(s: Settings, bucket: string, objects: string): Step[] {
  if (s.replayers.length === 0) return [];
  const role = `projects/${s.project}/roles/${REPLAYER_ROLE_ID}`;
  const create: Step = {
    why: 'a role that reads, lists and deletes objects and cannot create them, for those who replay dead letters (once per project)',
    argv: [
      ...['gcloud', 'iam', 'roles', 'create', REPLAYER_ROLE_ID, `--project=${s.project}`],
      '--title=GCS to Airflow trigger: replay dead letters',
      '--description=Read, list and delete dead-letter records; never create them',
      `--permissions=${REPLAYER_PERMISSIONS.join(',')}`,
      '--stage=GA',
    ],
    alreadyDone: /already exists/i,
  };
  const expression = `resource.type == "storage.googleapis.com/Bucket" || resource.name.startsWith("${objects}")`;
  const grants = s.replayers.map((member) => ({
    why: `${member} replays the dead letters: reads, lists and deletes them under the prefix, and cannot write one`,
    argv: bucketGrant(
      bucket,
      member,
      role,
      condition(
        expression,
        `replay ${s.name} dead letters`,
        `list the bucket; read and delete under ${objects}`,
      ),
    ),
  }));
  return [create, ...grants];
}

/** The dead-letter grants, or none without DEAD_LETTER_URI. */
export function deadLetterSteps(s: Settings): Step[] {
  const kept = s.config.deadLetters;
  if (kept === null) return [];
  const objects = prefixResource(kept.bucket, kept.path);
  // Asset routes claim each object version beside the records (src/function/claims.ts): the
  // function writes, reads and deletes those too, and nothing else in the bucket.
  const claims = hasAssetTarget(s.config.routes, fallbackTarget(s.config))
    ? prefixResource(kept.bucket, claimsLocation(kept).path)
    : null;
  const writable =
    claims === null
      ? `resource.name.startsWith("${objects}")`
      : `resource.name.startsWith("${objects}") || resource.name.startsWith("${claims}")`;
  return [
    {
      why:
        `DEAD_LETTER_URI: gs://${kept.bucket} by IAM only (uniform bucket-level access), so no object ACL ` +
        'lets another writer in; IAM Conditions need it too',
      argv: [
        'gcloud',
        'storage',
        'buckets',
        'update',
        `gs://${kept.bucket}`,
        '--uniform-bucket-level-access',
      ],
    },
    {
      why:
        `the function writes its dead letters under gs://${kept.bucket}/${kept.path} and is the only account ` +
        'besides admins that may: roles/storage.objectUser there only (replay runs what a record says)',
      argv: bucketGrant(
        kept.bucket,
        `serviceAccount:${s.serviceAccount}`,
        'roles/storage.objectUser',
        condition(
          writable,
          `${s.name} dead letters only`,
          claims === null ? `objects under ${objects}` : `objects under ${objects} and ${claims}`,
        ),
      ),
    },
    ...replayerSteps(s, kept.bucket, objects),
  ];
}
