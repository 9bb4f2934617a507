import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { createTestNats } from '../../../../test/infra/test-infra';
import { startTestService, until } from '../../test/transport-harness';
import { JetStreamClient } from '../messaging/jetstream.client';
import { PermanentError } from '../messaging/jetstream.context';
import { runDlq } from './dlq.command';

const Subject = 'build.test-step';

interface Step {
  id: string;
  type: 'TestStep';
  streamId: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  data: { step: string };
}

const step = (buildId: string, version: number): Step => ({
  id: `${buildId}-v${version}`,
  type: 'TestStep',
  streamId: `build-${buildId}`,
  version,
  occurredAt: new Date().toISOString(),
  correlationId: buildId,
  causationId: `${buildId}-v${version}`,
  data: { step: `v${version}` },
});

/**
 * A replay goes back to a stream that other services consume too (deployer and notifier both read
 * EVENTS), and it is a domain event whose build has moved on since it was dead-lettered. The
 * owner must handle it all the same; the others must not handle it a second time.
 */
describe('a replayed domain event', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let client: JetStreamClient;
  const apps: INestApplication[] = [];
  const handled: string[] = [];
  const broken = new Set<string>();

  const service = (name: string) => {
    @Controller()
    class StepController {
      @EventPattern<string>(Subject)
      onStep(@Payload() event: Step): void {
        if (name === 'owner' && broken.has(event.id)) throw new PermanentError(`cannot take ${event.id}`);
        handled.push(`${name}:${event.id}`);
      }
    }
    return startTestService([StepController], {
      servers: [nats.url],
      prefix: nats.prefix,
      service: name,
      consumers: [{ stream: 'EVENTS' }],
      schemas: {},
    });
  };

  beforeAll(async () => {
    nats = await createTestNats();
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'replay-routing-test' });
    apps.push(await service('owner'), await service('bystander'));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await client.close();
    await nats.cleanup();
  });

  it('is handled by the service that dead-lettered it, even after later events of its build, and by no other consumer', async () => {
    broken.add('b1-v1');
    await client.publishEvent(Subject, step('b1', 1));
    await client.publishEvent(Subject, step('b1', 2));
    await until(() => handled.includes('owner:b1-v2') && handled.includes('bystander:b1-v2'), 5_000, 'v2 handled by both');
    expect(handled.filter((h) => h.endsWith('b1-v1'))).toEqual(['bystander:b1-v1']); // the owner dead-lettered it
    broken.clear();

    const lines: string[] = [];
    const env = { NATS_URL: nats.url, NATS_SUBJECT_PREFIX: nats.prefix };
    expect(
      await runDlq(['replay', '--all', '--service', 'owner', '--reason', 'fixed'], {
        env,
        out: (l) => lines.push(l),
        err: (l) => lines.push(l),
      }),
    ).toBe(0);
    expect(lines[0]).toMatch(/^replayed #1 \(owner build\.test-step, build b1\)/);

    await until(() => handled.includes('owner:b1-v1'), 5_000, 'the replay handled by its owner');
    await new Promise((r) => setTimeout(r, 500)); // the bystander would have had it again by now
    expect(handled.filter((h) => h.endsWith('b1-v1')).sort()).toEqual(['bystander:b1-v1', 'owner:b1-v1']);
  }, 15_000);
});
