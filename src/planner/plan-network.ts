/**
 * How the function's calls leave it: through a VPC, for an Airflow the internet cannot reach (a
 * Private IP Composer environment's network, an internal load balancer in front of a self-hosted
 * Airflow, issue 19 item 5), for a fixed egress IP through Cloud NAT (a web server that admits only
 * listed IPs), or for a VPC Service Controls perimeter's restricted VIP (issue 18 item 5). One module
 * for every path and transport: the settings keys, their checks, and the flags each deploy takes.
 *
 * Flags, as gcloud 528 defines them:
 * - `gcloud functions deploy` (1st and 2nd gen): `--vpc-connector` and `--egress-settings`
 *   `all|private-ranges-only` (command_lib/functions/flags.py AddVPCConnectorMutexGroup,
 *   AddEgressSettingsFlag). It has no `--network`/`--subnet`: Direct VPC egress is not a flag there
 *   (`gcloud functions deploy f --gen2 --network=x` answers "unrecognized arguments").
 * - `gcloud run deploy` (--cloud-run): Direct VPC egress with `--network` and `--subnet`
 *   (command_lib/run/flags.py AddVpcNetworkFlags, AddVpcSubnetFlags: "If --network is not
 *   specified, network will be looked up from this subnetwork"), or `--vpc-connector`; then
 *   `--vpc-egress` `all-traffic|private-ranges-only` (AddEgressSettingsFlag; `all` is its deprecated
 *   spelling of all-traffic). https://cloud.google.com/run/docs/configuring/vpc-direct-vpc: a
 *   service uses Direct VPC egress or a connector, not both.
 */
import * as v from 'valibot';
import { UsageError } from '../basics/errors/usage-error';
import type { Flavor } from './plan-common';

export const EGRESS = ['all', 'private-ranges-only'] as const;
export type Egress = (typeof EGRESS)[number];

export type VpcEgress =
  | { readonly kind: 'connector'; readonly connector: string; readonly egress: Egress }
  | {
      readonly kind: 'direct';
      readonly network: string | null;
      readonly subnet: string | null;
      readonly egress: Egress;
    };

const NAME = '[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?';
const PROJECT = '[a-z][a-z0-9-]{4,28}[a-z0-9]';
const text = (re: RegExp, message: string) => v.pipe(v.string(message), v.regex(re, message));

/** The settings file's network keys, spread into its schema (settings-schema.ts). */
export const NETWORK_ENTRIES = {
  vpcConnector: v.optional(
    text(
      /^(?:[a-z][a-z0-9-]{0,23}[a-z0-9]|projects\/[a-z0-9-]+\/locations\/[a-z0-9-]+\/connectors\/[a-z][a-z0-9-]{0,23}[a-z0-9])$/,
      'must be a Serverless VPC Access connector name or projects/P/locations/R/connectors/NAME',
    ),
  ),
  network: v.optional(
    text(
      new RegExp(`^(?:${NAME}|projects/${PROJECT}/global/networks/${NAME})$`),
      'must be a VPC network name or projects/P/global/networks/NAME',
    ),
  ),
  subnet: v.optional(
    text(
      new RegExp(
        `^(?:${NAME}|projects/${PROJECT}/regions/[a-z]+-[a-z]+[0-9]+/subnetworks/${NAME})$`,
      ),
      'must be a subnetwork name or projects/P/regions/R/subnetworks/NAME',
    ),
  ),
  egressSettings: v.optional(v.picklist(EGRESS, 'must be all or private-ranges-only')),
};

export interface NetworkKeys {
  readonly vpcConnector?: string | undefined;
  readonly network?: string | undefined;
  readonly subnet?: string | undefined;
  readonly egressSettings?: Egress | undefined;
}

/**
 * The egress the keys ask for, or the problems with them. `all` by default: a fixed IP through
 * Cloud NAT, and a perimeter's restricted VIP, hold only for calls that go through the VPC.
 */
export function vpcEgressOf(k: NetworkKeys): { vpc: VpcEgress | null; problems: string[] } {
  const direct = k.network !== undefined || k.subnet !== undefined;
  const egress = k.egressSettings ?? 'all';
  if (k.vpcConnector !== undefined && direct) {
    return {
      vpc: null,
      problems: [
        'vpcConnector and network/subnet: choose one (a connector, or Direct VPC egress with --cloud-run)',
      ],
    };
  }
  if (k.vpcConnector !== undefined) {
    return { vpc: { kind: 'connector', connector: k.vpcConnector, egress }, problems: [] };
  }
  if (direct) {
    const vpc = { kind: 'direct', network: k.network ?? null, subnet: k.subnet ?? null, egress };
    return { vpc: vpc as VpcEgress, problems: [] };
  }
  if (k.egressSettings !== undefined) {
    return {
      vpc: null,
      problems: [
        'egressSettings needs vpcConnector, or network/subnet (--cloud-run): without one nothing goes through a VPC',
      ],
    };
  }
  return { vpc: null, problems: [] };
}

/** The deploy command's network flags for the path; Direct VPC egress on `gcloud functions` is refused. */
export function vpcFlags(vpc: VpcEgress | null, flavor: Flavor): string[] {
  if (vpc === null) return [];
  if (flavor === 'cloud-run') {
    const where =
      vpc.kind === 'connector'
        ? [`--vpc-connector=${vpc.connector}`]
        : [
            ...(vpc.network === null ? [] : [`--network=${vpc.network}`]),
            ...(vpc.subnet === null ? [] : [`--subnet=${vpc.subnet}`]),
          ];
    return [...where, `--vpc-egress=${vpc.egress === 'all' ? 'all-traffic' : vpc.egress}`];
  }
  if (vpc.kind === 'direct') {
    throw new UsageError(
      `network/subnet (Direct VPC egress) are for --cloud-run only: gcloud functions deploy ` +
        `(${flavor === 'gen1' ? '1st' : '2nd'} gen) has no --network or --subnet; ` +
        'deploy with --cloud-run, or set vpcConnector instead (docs/private-networking.md)',
    );
  }
  return [`--vpc-connector=${vpc.connector}`, `--egress-settings=${vpc.egress}`];
}
