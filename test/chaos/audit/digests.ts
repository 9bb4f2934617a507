import { eventsOf, type BuildHistory } from './build-histories';
import type { Finding } from './findings';

const digestOf = (image: string | undefined): string | undefined => image?.match(/@(sha256:[0-9a-f]{64})$/)?.[1];

/**
 * Bound to bits: production runs what QA reviewed. Per build shipped, the production request
 * pinned the preview's digest and the outcome reported it; per project, the production
 * Deployment is the last build shipped, its image is that pinned image, and its ready pods
 * report that digest in their imageID (as a kubelet does).
 */
export function auditDigests(histories: ReadonlyMap<string, BuildHistory>, objects: readonly any[]): Finding[] {
  const findings: Finding[] = [];
  const wrong = (h: BuildHistory, what: string, evidence: string[] = []) =>
    findings.push({ category: 'wrong-digest', kind: 'digest', buildId: h.buildId, project: h.project, what, evidence });
  const lastShipped = new Map<string, { history: BuildHistory; position: number }>();
  for (const h of histories.values()) {
    const approved = h.previewDeployed?.data.digest as string | undefined;
    for (const request of eventsOf(h, 'ProductionDeploymentRequested')) {
      if (approved && request.data.digest !== approved)
        wrong(
          h,
          `production attempt ${request.data.attempt} asked for ${request.data.digest ?? request.data.image}, QA reviewed ${approved}`,
        );
      if (h.previewDeployed?.data.pinnedImage && request.data.image !== h.previewDeployed.data.pinnedImage) {
        wrong(
          h,
          `production attempt ${request.data.attempt} deploys ${request.data.image}, not the pinned ${h.previewDeployed.data.pinnedImage}`,
        );
      }
    }
    for (const shipped of h.productionDeployed) {
      if (approved && shipped.data.digest !== approved)
        wrong(h, `ProductionDeployed reports ${shipped.data.digest}, QA reviewed ${approved}`);
      const before = lastShipped.get(h.project);
      if (!before || shipped.position > before.position) lastShipped.set(h.project, { history: h, position: shipped.position });
    }
  }
  for (const [project, { history: h }] of lastShipped) {
    const deployment = objects.find(
      (o) =>
        o.kind === 'Deployment' &&
        !o.metadata.deletionTimestamp &&
        o.metadata.labels?.['deploybot.dev/project'] === project &&
        o.metadata.labels?.['deploybot.dev/environment'] === 'production',
    );
    if (!deployment) {
      wrong(h, `no production Deployment for ${project}, though build ${h.buildId} was shipped last`);
      continue;
    }
    const template = deployment.spec.template;
    const image: string = template.spec.containers.find((c: any) => c.name === 'app')?.image;
    const runsBuild = template.metadata.annotations?.['deploybot.dev/build-id'];
    const approved = h.previewDeployed?.data.digest as string | undefined;
    const evidence = [
      `Deployment ${deployment.metadata.name}: image ${image}, build ${runsBuild}, generation ${deployment.metadata.generation}`,
    ];
    if (runsBuild !== h.buildId)
      wrong(h, `production of ${project} runs build ${runsBuild}, but the last build shipped is ${h.buildId}`, evidence);
    if (approved && digestOf(image) !== approved) wrong(h, `production of ${project} runs ${image}, QA reviewed ${approved}`, evidence);
    const requestId = template.metadata.annotations?.['deploybot.dev/request-id'];
    const imageIds = objects
      .filter(
        (o) => o.kind === 'Pod' && !o.metadata.deletionTimestamp && o.metadata.annotations?.['deploybot.dev/request-id'] === requestId,
      )
      .flatMap((p) => (p.status?.containerStatuses ?? []).map((c: any) => c.imageID as string))
      .filter(Boolean);
    if (!imageIds.length) wrong(h, `no running pod of production ${project} reports an imageID`, evidence);
    for (const imageId of imageIds)
      if (approved && digestOf(imageId) !== approved)
        wrong(h, `a production pod of ${project} runs ${imageId}, QA reviewed ${approved}`, evidence);
  }
  return findings;
}
