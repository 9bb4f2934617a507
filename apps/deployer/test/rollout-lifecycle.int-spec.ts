import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { createTestNats } from '../../../test/infra/test-infra';
import { startKubernetesFake } from '../../../test/fakes/kubernetes';
import { DeployerTestOptions, EventsPublisher, previewName, previewRequested, startDeployer } from './deployer-harness';
import { testConfig } from './deployer-fixtures';
import { eventually, inputsStream, kubeconfigFor } from './deployer-test-support';

jest.setTimeout(30_000);

/** Everything a test started, stopped in reverse order however the test ended. */
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function environment(
  fakeOptions: Parameters<typeof startKubernetesFake>[0],
  limits: { timeoutSeconds: number; failFastSeconds: number },
) {
  const fake = await startKubernetesFake(fakeOptions);
  cleanups.push(() => fake.stop());
  const nats = await createTestNats();
  cleanups.push(() => nats.cleanup());
  const kubeconfig = kubeconfigFor(fake);
  cleanups.push(() => kubeconfig.remove());
  const events = new EventsPublisher(nats);
  cleanups.push(() => events.close());
  const config = testConfig({ kubeconfig: kubeconfig.path, natsUrl: nats.url, prefix: nats.prefix, ...limits });
  const start = async (options: DeployerTestOptions = {}): Promise<INestApplication> => {
    const app = await startDeployer(config, nats, options);
    cleanups.push(() => app.close());
    return app;
  };
  const outcomesOf = async (requestId: string) =>
    (await inputsStream(nats.url, nats.prefix)).filter((e) => (e.data as { requestId?: string }).requestId === requestId);
  const outcomeOf = async (requestId: string, timeoutMs = 15_000) =>
    (await eventually(async () => (await outcomesOf(requestId))[0], timeoutMs, `the outcome of ${requestId}`)) as {
      type: string;
      occurredAt: string;
      data: Record<string, any>;
    };
  return { fake, nats, events, start, outcomesOf, outcomeOf };
}

describe('deployer: rollout deadlines and restarts', () => {
  it('reports ProgressDeadlineExceeded when pods never become ready', async () => {
    const env = await environment({ timeScale: 0.2 }, { timeoutSeconds: 3, failFastSeconds: 1 });
    env.fake.setImageBehavior(/never-ready/, 'never-ready');
    await env.start();

    const request = previewRequested({ buildId: 'b-stuck', target: 'stuck', image: 'registry.example.org/shop:never-ready' });
    await env.events.publish(request);
    const [outcome] = await eventually(
      async () => {
        const found = await env.outcomesOf(request.id);
        return found.length ? found : undefined;
      },
      10_000,
      'the outcome',
    );
    expect(outcome).toMatchObject({ type: 'DeploymentFailed', data: { reason: expect.stringMatching(/^ProgressDeadlineExceeded: /) } });
  });

  it('resumes a rollout after a restart and reports exactly one outcome', async () => {
    const env = await environment({ timeScale: 1 }, { timeoutSeconds: 20, failFastSeconds: 5 });
    env.fake.setImageBehavior('registry.example.org/shop:slow', 'ready', { readyAfterMs: 2_500 });
    const first = await env.start();

    const request = previewRequested({ buildId: 'b-restart', target: 'restart', image: 'registry.example.org/shop:slow' });
    await env.events.publish(request);
    await eventually(() => env.fake.get('Deployment', 'default', previewName('restart')), 10_000, 'the Deployment');
    await first.close();
    expect(await env.outcomesOf(request.id)).toHaveLength(0);

    await env.start();
    const outcomes = await eventually(
      async () => {
        const found = await env.outcomesOf(request.id);
        return found.length ? found : undefined;
      },
      15_000,
      'the outcome after the restart',
    );
    expect(outcomes[0]).toMatchObject({ type: 'DeploymentSucceeded', data: { url: 'https://restart.branch.example.org' } });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await env.outcomesOf(request.id)).toHaveLength(1);
    const applies = env.fake.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${previewName('restart')}`));
    expect(applies.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the original rollout deadline when the request is redelivered', async () => {
    const env = await environment({ timeScale: 1 }, { timeoutSeconds: 60, failFastSeconds: 5 });
    env.fake.setImageBehavior(/never-ready/, 'never-ready');
    const first = await env.start();

    const deadline = new Date(Date.now() + 3_000);
    const request = previewRequested({
      buildId: 'b-deadline',
      target: 'deadline',
      image: 'registry.example.org/shop:never-ready',
      rolloutDeadline: deadline,
    });
    await env.events.publish(request);
    await eventually(() => env.fake.get('Deployment', 'default', previewName('deadline')), 10_000, 'the Deployment');
    await first.close();

    await env.start();
    const outcome = await env.outcomeOf(request.id);
    expect(outcome).toMatchObject({ type: 'DeploymentFailed', data: { reason: expect.stringMatching(/^RolloutTimeout: /) } });
    // At the request's deadline, not ROLLOUT_TIMEOUT_SECONDS (60 s) after the redelivery.
    expect(Date.parse(outcome.occurredAt) - deadline.getTime()).toBeGreaterThanOrEqual(0);
    expect(Date.parse(outcome.occurredAt) - deadline.getTime()).toBeLessThan(2_000);
  });
});

describe('deployer: stopping (SIGTERM)', () => {
  it('lets an in-flight rollout finish within the grace period and reports it before stopping', async () => {
    const env = await environment({ timeScale: 1 }, { timeoutSeconds: 20, failFastSeconds: 5 });
    env.fake.setImageBehavior('registry.example.org/shop:slow', 'ready', { readyAfterMs: 1_500 });
    const app = await env.start({ shutdownGraceMs: 10_000 });

    const request = previewRequested({ buildId: 'b-drain', target: 'drain', image: 'registry.example.org/shop:slow' });
    await env.events.publish(request);
    await eventually(() => env.fake.get('Deployment', 'default', previewName('drain')), 10_000, 'the Deployment');
    await app.close();

    expect(await env.outcomesOf(request.id)).toEqual([expect.objectContaining({ type: 'DeploymentSucceeded' })]);
    expect(env.fake.get('Lease', 'default', `deploybot-${previewName('drain')}`)).toBeUndefined();
  });

  it('hands a rollout still running after the grace period back as Interrupted, without counting the delivery', async () => {
    const env = await environment({ timeScale: 1 }, { timeoutSeconds: 20, failFastSeconds: 5 });
    env.fake.setImageBehavior('registry.example.org/shop:slow', 'ready', { readyAfterMs: 3_000 });
    // One counted delivery only: were the interrupted one counted, the redelivery would be dead-lettered.
    const first = await env.start({ shutdownGraceMs: 300, maxDeliver: 1 });

    const request = previewRequested({ buildId: 'b-interrupted', target: 'interrupted', image: 'registry.example.org/shop:slow' });
    await env.events.publish(request);
    await eventually(() => env.fake.get('Deployment', 'default', previewName('interrupted')), 10_000, 'the Deployment');
    await first.close();
    expect(await env.outcomesOf(request.id)).toHaveLength(0);
    // The interrupted holder gave the workload back: the next replica need not wait for the lease to expire.
    expect(env.fake.get('Lease', 'default', `deploybot-${previewName('interrupted')}`)).toBeUndefined();

    await env.start({ maxDeliver: 1 });
    expect(await env.outcomeOf(request.id)).toMatchObject({ type: 'DeploymentSucceeded' });
  });
});
