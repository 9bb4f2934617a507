import type { PodSnapshot } from './rollout-snapshot';

/** The bits a workload runs: the digest, and the runtime's `imageID` it was read from. */
export interface RunningImage {
  digest: string;
  imageId: string;
}

export type RunningImageReport =
  | { status: 'known'; image: RunningImage }
  /** No ready pod reported a repository digest (e.g. an image built on the node): nothing to pin. */
  | { status: 'unknown'; detail: string }
  /** Ready pods run different bits: the tag moved while the rollout pulled it. */
  | { status: 'mixed'; digests: { digest: string; pod: string }[] };

/**
 * The digest in a container's `imageID`: `repo@sha256:<64 hex>` (containerd, CRI-O) or
 * `docker-pullable://repo@sha256:<64 hex>` (dockershim). A bare `sha256:…` is the image's
 * local id, not a registry digest — production could not pull it — so it gives no digest.
 */
export function digestOf(imageId: string | undefined): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(imageId ?? '')?.[1];
}

const isReady = (pod: PodSnapshot): boolean =>
  !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * What the ready pods' `container` runs. Every ready pod that reports a digest must report
 * the same one; pods that report none (no repository digest) are left out.
 */
export function runningImage(pods: PodSnapshot[], container: string): RunningImageReport {
  const seen: { digest: string; pod: string; imageId: string }[] = [];
  for (const pod of pods.filter(isReady)) {
    const imageId = pod.status?.containerStatuses?.find((c) => c.name === container)?.imageID;
    const digest = digestOf(imageId);
    if (digest && imageId) seen.push({ digest, imageId, pod: pod.metadata?.name ?? '?' });
  }
  if (!seen.length) return { status: 'unknown', detail: `no ready pod reported a repository digest for container ${container}` };
  const other = seen.find((s) => s.digest !== seen[0].digest);
  if (other) return { status: 'mixed', digests: [seen[0], other].map(({ digest, pod }) => ({ digest, pod })) };
  return { status: 'known', image: { digest: seen[0].digest, imageId: seen[0].imageId } };
}
