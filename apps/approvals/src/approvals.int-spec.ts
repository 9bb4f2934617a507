import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BuildView, deadLetterSubject, MessageSchemas, previewUrl, QueryReply, Subjects } from '@app/contracts';
import { absoluteSubject, connectJetStream, DeadLetterHeaders, JetStreamClient } from '@app/platform';
import { connect, headers, JSONCodec } from 'nats';
import { createTestDatabase, createTestNats } from '../../../test/infra/test-infra';
import { buildCompleted, readJetStream, testConfig } from '../test/approvals-harness';
import { ApprovalsModule } from './approvals.module';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let app: INestApplication;
let client: JetStreamClient;

beforeAll(async () => {
  database = await createTestDatabase();
  nats = await createTestNats();
  const module = await Test.createTestingModule({ imports: [ApprovalsModule.register(testConfig(database.url, nats))] }).compile();
  app = module.createNestApplication({ logger: false });
  connectJetStream(app, {
    servers: [nats.url],
    prefix: nats.prefix,
    service: 'approvals',
    consumers: [{ stream: 'INPUTS' }, { stream: 'DLQ', filterSubject: 'dlq.deployer.>' }],
    schemas: MessageSchemas,
    backoffMs: [50, 100],
  });
  await app.startAllMicroservices();
  await app.init();
  client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'approvals-test' });
});

afterAll(async () => {
  await client?.close();
  await app?.close();
  await database.drop();
  await nats.cleanup();
});

describe('approvals through the real transport', () => {
  it('turns a BuildCompleted input into BuildRegistered and PreviewDeploymentRequested on the EVENTS stream', async () => {
    const input = buildCompleted({ target: 'feature/Login' });
    await client.publishEvent(Subjects.BuildCompleted, input);

    const events = await readJetStream(nats.url, nats.prefix, 'EVENTS', 2);
    expect(events.map((e) => e.type)).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
    const [registered, requested] = events;
    expect(registered).toMatchObject({
      version: 1,
      causationId: input.id,
      data: { requestId: input.data.requestId, project: 'test1', previewUrl: previewUrl('https://example.org', 'branch', 'feature/Login') },
    });
    expect(requested).toMatchObject({ streamId: registered.streamId, version: 2, correlationId: registered.correlationId });
    expect(MessageSchemas[Subjects.PreviewDeploymentRequested].safeParse(requested).success).toBe(true);

    const reply = await client.request<QueryReply<BuildView>>(Subjects.GetBuild, { id: input.data.requestId });
    expect(reply).toMatchObject({ ok: true, data: { id: registered.correlationId, status: 'preview-deploying', target: 'feature/Login' } });
  });

  it('publishes nothing new when the same input is delivered again', async () => {
    const input = buildCompleted({ target: 'redelivered' });
    await client.publishEvent(Subjects.BuildCompleted, input);
    await readJetStream(nats.url, nats.prefix, 'EVENTS', 4);
    // The same envelope again, under another Nats-Msg-Id so JetStream stores and delivers it a second time.
    const nc = await connect({ servers: nats.url });
    await nc
      .jetstream()
      .publish(absoluteSubject(nats.prefix, Subjects.BuildCompleted), JSONCodec().encode(input), { msgID: `again-${input.id}` });
    await nc.close();
    expect(await readJetStream(nats.url, nats.prefix, 'INPUTS', 3)).toHaveLength(3); // it was delivered twice
    await new Promise((r) => setTimeout(r, 500));
    expect(await readJetStream(nats.url, nats.prefix, 'EVENTS', 5, 300)).toHaveLength(4);
  });

  it('fails the attempt of a deployment request the deployer dead-lettered, with its reason', async () => {
    const input = buildCompleted({ target: 'dead-lettered' });
    await client.publishEvent(Subjects.BuildCompleted, input);
    const events = await readJetStream(nats.url, nats.prefix, 'EVENTS', 6);
    const request = events.find(
      (e) => e.type === 'PreviewDeploymentRequested' && (e.data as { target: string }).target === 'dead-lettered',
    )!;

    const nc = await connect({ servers: nats.url });
    const h = headers();
    h.set(DeadLetterHeaders.Reason, 'handler did not finish after 5 deliveries');
    await nc
      .jetstream()
      .publish(
        absoluteSubject(nats.prefix, deadLetterSubject('deployer', Subjects.PreviewDeploymentRequested)),
        JSONCodec().encode(request),
        { headers: h, msgID: `dlq-${request.id}` },
      );
    await nc.close();

    const failed = (await readJetStream(nats.url, nats.prefix, 'EVENTS', 7)).find(
      (e) => e.type === 'PreviewDeploymentFailed' && e.correlationId === request.correlationId,
    );
    expect(failed?.data).toMatchObject({
      cause: 'dead-letter',
      reason: 'the deployer gave up on this request: handler did not finish after 5 deliveries',
    });
  });
});
