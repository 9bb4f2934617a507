import { describe, expect, it } from '@jest/globals';
import { DeploymentFailedSchema, DeploymentSucceededSchema } from '@app/contracts';
import type { DeploymentOrder } from '../manifests/deployment-order';
import { deploymentFailed, deploymentSucceeded, outcomeId } from './outcome-envelopes';
import { newerBuildRunning } from './supersession';

const order: DeploymentOrder = {
  requestId: 'evt-7',
  buildId: 'b-7',
  correlationId: 'b-7',
  identity: { environment: 'preview', project: 'shop', type: 'branch', target: 'main' },
  image: 'registry.example.org/shop:7',
  url: 'https://main.branch.example.org',
  requestedAt: '2026-11-26T10:00:00.000Z',
};
const at = new Date('2026-11-26T10:05:00.000Z');

describe('outcome envelopes', () => {
  it('give success and failure of one request the same id, so JetStream keeps only the first', () => {
    const ok = deploymentSucceeded(order, { namespace: 'default', name: 'shop-branch-main' }, at);
    const failed = deploymentFailed(order, 'ImagePullBackOff', {}, at);
    expect(ok.id).toBe('evt-7:outcome');
    expect(failed.id).toBe(ok.id);
    expect(outcomeId('evt-7')).toBe(ok.id);
  });

  it('are valid contract messages caused by the request', () => {
    const ok = deploymentSucceeded(order, { namespace: 'default', name: 'shop-branch-main' }, at);
    expect(DeploymentSucceededSchema.parse(ok)).toMatchObject({ causationId: 'evt-7', correlationId: 'b-7', streamId: 'build-b-7', actor: { kind: 'service', name: 'deployer' } });
    expect(DeploymentFailedSchema.safeParse(deploymentFailed(order, 'x'.repeat(5_000), {}, at)).success).toBe(true);
  });

  it('shorten a very long reason', () => {
    expect(deploymentFailed(order, 'x'.repeat(5_000), {}, at).data.reason).toHaveLength(2_000);
  });
});

describe('newerBuildRunning', () => {
  const live = (buildId: string, requestedAt: string) => ({ metadata: { annotations: { 'deploybot.dev/build-id': buildId, 'deploybot.dev/requested-at': requestedAt } } });

  it('names a different build that was requested later', () => {
    expect(newerBuildRunning(live('b-8', '2026-11-26T10:01:00.000Z'), order)).toBe('b-8');
  });

  it('lets the order go ahead over an older build, its own build, or nothing', () => {
    expect(newerBuildRunning(live('b-6', '2026-11-26T09:59:00.000Z'), order)).toBeUndefined();
    expect(newerBuildRunning(live('b-7', '2026-11-26T11:00:00.000Z'), order)).toBeUndefined();
    expect(newerBuildRunning(undefined, order)).toBeUndefined();
    expect(newerBuildRunning({ metadata: { annotations: { 'deploybot.dev/build-id': 'b-8' } } }, order)).toBeUndefined();
  });
});
