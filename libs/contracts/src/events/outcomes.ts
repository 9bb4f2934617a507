import { z } from 'zod';
import { envelopeSchema } from '../envelope';
import { BuildId, Environment } from '../common';
import { ImageDigest } from './build-events';

/*
 * Outcomes: published by the deployer, consumed by approvals.
 * `requestId` is the attempt the outcome answers: the request's `attemptId` (or, for requests
 * written before attempt ids existed, the id of the domain event that asked for the work), so
 * approvals can ignore the outcome of an attempt that is no longer current.
 * Sent between services: renaming a type or a field needs a migration of consumers.
 */

export const DeploymentSucceededData = z.object({
  buildId: BuildId,
  requestId: z.string().min(1),
  environment: Environment,
  url: z.url(),
  namespace: z.string().min(1),
  name: z.string().min(1),
  /** The digest every ready pod of this request runs, read from the pods' `imageID`. */
  digest: ImageDigest.optional(),
  /** The container runtime's `imageID` it was read from, as reported. */
  imageId: z.string().optional(),
});
export const DeploymentSucceededSchema = envelopeSchema('DeploymentSucceeded', DeploymentSucceededData);
export type DeploymentSucceeded = z.infer<typeof DeploymentSucceededSchema>;

export const DeploymentFailedData = z.object({
  buildId: BuildId,
  requestId: z.string().min(1),
  environment: Environment,
  /** A reason a person can act on, e.g. `ImagePullBackOff: Back-off pulling image "…"`. */
  reason: z.string().min(1),
  namespace: z.string().optional(),
  name: z.string().optional(),
  /** true when a newer request for the same workload won: this attempt never ran to the end. */
  superseded: z.boolean().optional(),
});
export const DeploymentFailedSchema = envelopeSchema('DeploymentFailed', DeploymentFailedData);
export type DeploymentFailed = z.infer<typeof DeploymentFailedSchema>;

export const PreviewTornDownData = z.object({
  buildId: BuildId,
  requestId: z.string().min(1),
  namespace: z.string().min(1),
  /** `Kind/name` of every object deleted in `namespace`, `<namespace>/Kind/name` of one elsewhere (empty when nothing was left). */
  deleted: z.array(z.string()),
});
export const PreviewTornDownSchema = envelopeSchema('PreviewTornDown', PreviewTornDownData);
export type PreviewTornDown = z.infer<typeof PreviewTornDownSchema>;
