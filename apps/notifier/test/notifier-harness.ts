import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { connect, headers, StringCodec, type NatsConnection } from 'nats';
import { MessageSchemas, subjectOfEventType, type BuildEvent } from '@app/contracts';
import { connectJetStream, JetStreamClient, loadEnvironment, parseProjects, type AppConfig } from '@app/platform';
import { ReplayHeaders } from '@app/platform/dead-letters/replay-headers';
import { createTestDatabase, createTestNats } from '../../../test/infra/test-infra';
import { startSlackFake, type SlackFake, type SlackMessage } from '../../../test/fakes/slack';
import { NotifierModule, type NotifierOptions } from '../src/notifier.module';
import { CHANNEL, OWNERS, QA } from './build-fixtures';

const PROJECTS = `
projects:
  - id: test1
    name: Testing One
    url: https://example.org
    channel: ${CHANNEL}
    qa: [${QA.join(', ')}]
    owners: [${OWNERS.join(', ')}]
`;

/** Fast everything: tests wait for Slack's Retry-After only; outages are probed every 50–400 ms. */
const FAST_SLACK = {
  timeoutMs: 2_000,
  postIntervalMs: 20,
  retry: { retries: 5, factor: 1, minTimeout: 10, maxTimeout: 50, randomize: false },
  outage: { firstProbeMs: 50, maxProbeMs: 400 },
};

/**
 * The notifier as it runs in production (real module, JetStream transport, Postgres, the real
 * WebClient) against the Slack fake, on a database and subject prefix of its own.
 */
export class NotifierHarness {
  app?: INestApplication;
  /** http://127.0.0.1:<port> of the running notifier (/readyz, /metrics). */
  baseUrl = '';
  private publisher?: JetStreamClient;
  private raw?: NatsConnection;

  private constructor(
    readonly slack: SlackFake,
    private readonly db: { url: string; drop(): Promise<void> },
    private readonly nats: { url: string; prefix: string; cleanup(): Promise<void> },
    private readonly options: NotifierOptions,
  ) {}

  /** `options.slack` is laid over the fast defaults. */
  static async create(options: NotifierOptions = {}): Promise<NotifierHarness> {
    const [db, nats, slack] = await Promise.all([createTestDatabase(), createTestNats(), startSlackFake({ channels: [CHANNEL] })]);
    return new NotifierHarness(slack, db, nats, { ...options, slack: { ...FAST_SLACK, ...options.slack } });
  }

  async start(): Promise<void> {
    const env = loadEnvironment('notifier', {
      DATABASE_URL: this.db.url,
      NATS_URL: this.nats.url,
      NATS_SUBJECT_PREFIX: this.nats.prefix,
      SLACK_BOT_TOKEN: this.slack.token,
      SLACK_API_URL: this.slack.apiUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    const config: AppConfig = { env, projects: parseProjects(PROJECTS, 'test') };
    const moduleRef = await Test.createTestingModule({ imports: [NotifierModule.register(config, this.options)] }).compile();
    const app = moduleRef.createNestApplication(process.env.TEST_LOG_LEVEL ? {} : { logger: false });
    connectJetStream(app, {
      servers: [this.nats.url],
      prefix: this.nats.prefix,
      service: 'notifier',
      consumers: [{ stream: 'EVENTS' }],
      schemas: MessageSchemas,
      backoffMs: [50, 100],
    });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    this.baseUrl = await app.getUrl();
    this.app = app;
  }

  /** Like a pod being stopped: the transport stops consuming, in-flight work ends, connections close. */
  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.publisher?.close();
    await this.raw?.close();
    await this.slack.stop();
    await this.nats.cleanup();
    await this.db.drop();
  }

  /** Publishes as approvals' relay does (Nats-Msg-Id = event id) and waits for JetStream's ack. */
  async publish(...events: BuildEvent[]): Promise<void> {
    this.publisher ??= new JetStreamClient({ servers: [this.nats.url], prefix: this.nats.prefix, name: 'notifier-test' });
    for (const event of events) await this.publisher.publishEvent(subjectOfEventType(event.type)!, event);
  }

  /** Asks the notifier over core NATS request/reply, as the gateway does (e.g. Subjects.OpenRejectModal). */
  async request<T>(subject: string, data: unknown, timeoutMs = 3_000): Promise<T> {
    this.raw ??= await connect({ servers: this.nats.url });
    const reply = await this.raw.request(`${this.nats.prefix}.${subject}`, StringCodec().encode(JSON.stringify(data)), {
      timeout: timeoutMs,
    });
    return JSON.parse(StringCodec().decode(reply.data)) as T;
  }

  /** Plays another service's side of a request/reply subject (e.g. approvals' Subjects.PersonHome); `undefined` answers nothing. */
  async serve(subject: string, answer: (data: unknown) => unknown): Promise<void> {
    this.raw ??= await connect({ servers: this.nats.url });
    this.raw.subscribe(`${this.nats.prefix}.${subject}`, {
      callback: (_error, msg) => {
        const reply = answer(JSON.parse(StringCodec().decode(msg.data)));
        if (reply !== undefined) msg.respond(StringCodec().encode(JSON.stringify(reply)));
      },
    });
    await this.raw.flush();
  }

  /**
   * Hands the notifier an event it has handled already, as a replay from the dead letters does
   * (`npm run dlq -- replay`): a new stream message with the same event id, marked for the
   * notifier, which the transport takes out of the build's order. (A plain copy would be acked
   * unhandled: the transport knows the build's version is finished.)
   */
  async redeliver(event: BuildEvent): Promise<void> {
    this.raw ??= await connect({ servers: this.nats.url });
    const replay = headers();
    replay.set(ReplayHeaders.For, 'notifier');
    replay.set(ReplayHeaders.Of, `test:${event.id}`);
    await this.raw
      .jetstream()
      .publish(`${this.nats.prefix}.${subjectOfEventType(event.type)}`, StringCodec().encode(JSON.stringify(event)), { headers: replay });
  }

  /** The messages dead-lettered by the notifier for a subject, with the reason header. */
  async deadLetters(subject: string): Promise<string[]> {
    this.raw ??= await connect({ servers: this.nats.url });
    const jsm = await this.raw.jetstreamManager();
    const stream = `${this.nats.prefix.toUpperCase()}_DLQ`;
    const reasons: string[] = [];
    const info = await jsm.streams.info(stream);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (m && m.subject === `${this.nats.prefix}.dlq.notifier.${subject}`) reasons.push(m.header.get('Deploybot-Dlq-Reason'));
    }
    return reasons;
  }

  /** The value of a metric (first sample), read from GET /metrics as Prometheus would. */
  async metric(name: string): Promise<number | undefined> {
    const text = await (await fetch(`${this.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  }

  /** Slack messages (not replies) in a conversation or a user's DM. */
  topLevel(channelOrUser: string): SlackMessage[] {
    return this.slack.messages(channelOrUser).filter((m) => !m.thread_ts);
  }

  /** Waits for a message in `channelOrUser` whose text contains `text`. */
  waitForText(channelOrUser: string, text: string, timeoutMs = 5_000): Promise<SlackMessage> {
    return this.slack.waitFor(() => this.slack.messages(channelOrUser).find((m) => m.text.includes(text)), timeoutMs);
  }
}

/** The action ids of the buttons a message still shows. */
export const buttonsOf = (message: SlackMessage | undefined): string[] =>
  ((message?.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id?: string }> }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ''));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
