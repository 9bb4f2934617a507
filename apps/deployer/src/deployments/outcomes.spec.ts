import { describe, expect, it } from '@jest/globals';
import { DeploymentFailedSchema, DeploymentSucceededSchema } from '@app/contracts';
import type { BuildClosed, PreviewDeploymentRequested, PreviewTeardownRequested, ProductionDeploymentRequested } from '@app/contracts';
import type { DeploymentOrder } from '../manifests/deployment-order';
import { previewOrder, productionOrder, teardownOrder } from './deployment-orders';
import { deploymentFailed, deploymentSucceeded, outcomeId } from './outcome-envelopes';

const order: DeploymentOrder = {
  requestId: 'b-7:preview',
  buildId: 'b-7',
  correlationId: 'b-7',
  identity: { environment: 'preview', project: 'shop', type: 'branch', target: 'main' },
  image: 'registry.example.org/shop:7',
  url: 'https://main.branch.example.org',
  requestedAt: '2026-11-26T10:00:00.000Z',
  rolloutDeadline: '2026-11-26T10:05:00.000Z',
};
const at = new Date('2026-11-26T10:05:00.000Z');
const where = { namespace: 'default', name: 'shop-branch-main--64a0c36e02' };
const DIGEST = `sha256:${'c'.repeat(64)}`;

const envelope = { streamId: 'build-b-7', version: 3, correlationId: 'b-7', causationId: 'x', occurredAt: '2026-11-26T10:00:00.000Z' };

describe('orders from requests', () => {
  const preview = (data: Partial<PreviewDeploymentRequested['data']>): PreviewDeploymentRequested => ({
    ...envelope,
    id: 'evt-1',
    type: 'PreviewDeploymentRequested',
    data: {
      buildId: 'b-7',
      project: 'shop',
      type: 'branch',
      target: 'main',
      image: 'registry.example.org/shop:7',
      url: 'https://main.branch.example.org',
      ...data,
    },
  });

  it('answer the attempt, or the event itself for requests written before attempt ids', () => {
    expect(previewOrder(preview({ attemptId: 'b-7:preview' }), 300).requestId).toBe('b-7:preview');
    expect(previewOrder(preview({}), 300).requestId).toBe('evt-1');
  });

  it("keep the request's absolute rollout deadline, or take ROLLOUT_TIMEOUT_SECONDS after the request for old ones", () => {
    expect(previewOrder(preview({ rolloutDeadline: '2026-11-26T10:02:00.000Z' }), 300).rolloutDeadline).toBe('2026-11-26T10:02:00.000Z');
    expect(previewOrder(preview({}), 300).rolloutDeadline).toBe('2026-11-26T10:05:00.000Z');
  });

  it('deploy to production exactly the image the request names (a digest when approvals knows it)', () => {
    const pinned = `registry.example.org/shop@${DIGEST}`;
    const request: ProductionDeploymentRequested = {
      ...envelope,
      id: 'evt-2',
      type: 'ProductionDeploymentRequested',
      data: {
        buildId: 'b-7',
        attemptId: 'b-7:production:2',
        project: 'shop',
        image: pinned,
        digest: DIGEST,
        url: 'https://example.org',
        by: 'U0OWNER01',
        attempt: 2,
      },
    };
    expect(productionOrder(request, 300)).toMatchObject({
      requestId: 'b-7:production:2',
      image: pinned,
      identity: { environment: 'production', project: 'shop' },
    });
  });

  it('tear down for a teardown request, or for an old BuildClosed', () => {
    const data = { buildId: 'b-7', project: 'shop', type: 'branch' as const, target: 'main' };
    const requested: PreviewTeardownRequested = {
      ...envelope,
      id: 'evt-3',
      type: 'PreviewTeardownRequested',
      data: { ...data, attemptId: 'b-7:teardown:1', reason: 'closed' },
    };
    const closed: BuildClosed = { ...envelope, id: 'evt-4', type: 'BuildClosed', data: { ...data, by: 'U0OWNER01' } };
    expect(teardownOrder(requested)).toMatchObject({ requestId: 'b-7:teardown:1', identity: { environment: 'preview', target: 'main' } });
    expect(teardownOrder(closed).requestId).toBe('evt-4');
  });
});

describe('outcome envelopes', () => {
  it('give success and failure of one attempt the id <attempt>:outcome, so JetStream keeps only the first', () => {
    const ok = deploymentSucceeded(order, where, undefined, at);
    const failed = deploymentFailed(order, 'ImagePullBackOff', {}, at);
    expect(ok.id).toBe('b-7:preview:outcome');
    expect(failed.id).toBe(ok.id);
    expect(outcomeId('b-7:preview')).toBe(ok.id);
    expect(ok.data.requestId).toBe('b-7:preview');
  });

  it('are valid contract messages caused by the request', () => {
    const ok = deploymentSucceeded(order, where, undefined, at);
    expect(DeploymentSucceededSchema.parse(ok)).toMatchObject({
      causationId: 'b-7:preview',
      correlationId: 'b-7',
      streamId: 'build-b-7',
      actor: { kind: 'service', name: 'deployer' },
    });
    expect(DeploymentFailedSchema.safeParse(deploymentFailed(order, 'x'.repeat(5_000), {}, at)).success).toBe(true);
  });

  it('report the digest the preview runs, and nothing when it is unknown', () => {
    const imageId = `registry.example.org/shop@${DIGEST}`;
    expect(DeploymentSucceededSchema.parse(deploymentSucceeded(order, where, { digest: DIGEST, imageId }, at)).data).toMatchObject({
      digest: DIGEST,
      imageId,
    });
    expect(deploymentSucceeded(order, where, undefined, at).data).not.toHaveProperty('digest');
  });

  it('mark a superseded attempt, and only that', () => {
    expect(DeploymentFailedSchema.parse(deploymentFailed(order, 'superseded: …', where, at, { superseded: true })).data.superseded).toBe(
      true,
    );
    expect(deploymentFailed(order, 'ImagePullBackOff', where, at).data).not.toHaveProperty('superseded');
  });

  it('shorten a very long reason', () => {
    expect(deploymentFailed(order, 'x'.repeat(5_000), {}, at).data.reason).toHaveLength(2_000);
  });
});
