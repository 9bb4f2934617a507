import { targetLabel } from '@app/contracts';
import type { Stack } from './stack';

/**
 * The Deployments deploybot applied, found by the labels it puts on them (what an operator's
 * `kubectl get deploy -l deploybot.dev/project=…` shows), so the tests do not depend on the
 * naming scheme.
 */
export function previewDeployment(stack: Stack, project: string, target: string): any | undefined {
  return deployments(stack).find(
    (d) =>
      d.metadata.labels?.['deploybot.dev/project'] === project &&
      d.metadata.labels?.['deploybot.dev/environment'] === 'preview' &&
      d.metadata.labels?.['deploybot.dev/target'] === targetLabel(target),
  );
}

export function productionDeployment(stack: Stack, project: string): any | undefined {
  return deployments(stack).find(
    (d) => d.metadata.labels?.['deploybot.dev/project'] === project && d.metadata.labels?.['deploybot.dev/environment'] === 'production',
  );
}

const deployments = (stack: Stack): any[] =>
  stack.kube.objects().filter((o: any) => o.kind === 'Deployment' && !o.metadata.deletionTimestamp);

/** The image of a Deployment's `app` container and the build its pod template is for. */
export const runs = (deployment: any): { image: string; buildId: string } => ({
  image: deployment.spec.template.spec.containers.find((c: any) => c.name === 'app').image,
  buildId: deployment.spec.template.metadata.annotations['deploybot.dev/build-id'],
});

/** The imageIDs the ready pods of a Deployment report. */
export const podImageIds = (stack: Stack, deployment: any): string[] =>
  stack.kube
    .objects()
    .filter(
      (o: any) =>
        o.kind === 'Pod' &&
        !o.metadata.deletionTimestamp &&
        o.metadata.annotations?.['deploybot.dev/request-id'] === deployment.spec.template.metadata.annotations['deploybot.dev/request-id'],
    )
    .flatMap((p: any) => (p.status?.containerStatuses ?? []).map((c: any) => c.imageID))
    .filter(Boolean);
