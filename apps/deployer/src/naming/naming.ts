import { createHash } from 'node:crypto';
import { BuildType, Environment, MAX_DNS_LABEL_LENGTH, toDnsLabel } from '@app/contracts';

/** What a workload is deployed for; its Kubernetes name follows from this alone. */
export type WorkloadIdentity =
  | { environment: Extract<Environment, 'preview'>; project: string; type: BuildType; target: string }
  | { environment: Extract<Environment, 'production'>; project: string };

export type PreviewIdentity = Extract<WorkloadIdentity, { environment: 'preview' }>;

/**
 * Separates a preview name's readable part from its hash. The readable part never holds two
 * hyphens in a row, and project ids may not contain them (projects.schema.ts), so no preview
 * name can equal a production name.
 */
export const PREVIEW_HASH_SEPARATOR = '--';
const PREVIEW_HASH_LENGTH = 10;
const READABLE_LENGTH = MAX_DNS_LABEL_LENGTH - PREVIEW_HASH_SEPARATOR.length - PREVIEW_HASH_LENGTH;

/**
 * The name of the Deployment, Service and route of a workload: one DNS-1035 label (≤ 63
 * characters, starts with a letter), stable across restarts, unique per namespace.
 *
 * - production: the project id (the schema makes it a DNS-1035 label without `--`);
 * - preview: `<project>-<type>-<target>` made readable, then `--` and a hash of the exact
 *   (project, type, target), e.g. `shop-branch-main--3f2a9c01be`. The hash keeps apart what
 *   the readable part cannot: `feature/x` and `feature-x`, a long branch cut short, and
 *   project `shop` on branch `main` versus a project called `shop-branch-main`.
 *
 * Renaming changes every workload's name: the previous scheme lives on in {@link legacyPreviewName}.
 */
export function workloadName(identity: WorkloadIdentity): string {
  switch (identity.environment) {
    case 'preview':
      return `${readablePart(identity)}${PREVIEW_HASH_SEPARATOR}${previewHash(identity)}`;
    case 'production':
      return toDnsLabel(identity.project, { startWithLetter: true });
    default: {
      const _exhaustive: never = identity;
      throw new Error(`unknown environment ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/**
 * The preview name deploybot used before the hash suffix (`<project>-<type>-<target>`,
 * sanitized): teardown also looks there, for objects applied by older versions.
 */
export const legacyPreviewName = (identity: PreviewIdentity): string =>
  toDnsLabel(`${identity.project}-${identity.type}-${identity.target}`, { startWithLetter: true });

const previewHash = ({ project, type, target }: PreviewIdentity): string =>
  createHash('sha256')
    .update(JSON.stringify([project, type, target]), 'utf8')
    .digest('hex')
    .slice(0, PREVIEW_HASH_LENGTH);

function readablePart({ project, type, target }: PreviewIdentity): string {
  let readable = `${project}-${type}-${target}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '');
  if (!/^[a-z]/.test(readable)) readable = `x-${readable}`;
  return readable.slice(0, READABLE_LENGTH).replace(/-+$/, '');
}

export { targetLabel } from '@app/contracts';
