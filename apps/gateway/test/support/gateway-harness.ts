import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { connect, NatsConnection, StringCodec } from 'nats';
import { EventEnvelope } from '@app/contracts';
import { loadEnvironment, parseProjects, streamName } from '@app/platform';
import { createTestNats } from '../../../../test/infra/test-infra';
import { CLOCK, Clock } from '../../src/clock';
import { GatewayModule } from '../../src/gateway.module';
import { gatewayHttpAdapter } from '../../src/http/http-adapter';
import { GatewayOptions } from '../../src/gateway.options';
import { InputStreamSetup } from '../../src/messaging/input-stream.setup';
import { slackSignature } from '../../src/slack/slack-signature';

export const CI_TOKEN = 'ci-token-0123456789abcdef';
export const SIGNING_SECRET = 'slack-signing-secret-for-tests';

export const PROJECTS_YAML = `
projects:
  - id: test1
    name: Testing One
    url: https://example.org
    channel: C0123456789
    qa: [U0QA00001, U0QA00002]
    owners: [U0OWNER01]
  - id: shop
    name: Shop
    url: https://shop.example.org
    channel: C0SHOP0001
    owners: [U0OWNER01]
`;

/** A clock the test can set; starts at the real time. */
export class TestClock implements Clock {
  ms = Date.now();
  nowMs(): number {
    return this.ms;
  }
}

export interface StoredInput {
  subject: string;
  envelope: EventEnvelope;
}

/** A gateway on a real port, wired to a prefix of its own on the test NATS. */
export interface GatewayHarness {
  baseUrl: string;
  /** The test NATS and this gateway's subject prefix on it (e.g. to answer its requests as another service would). */
  natsUrl: string;
  prefix: string;
  clock: TestClock;
  /** Every message in this test's INPUTS stream, in order. */
  inputs(): Promise<StoredInput[]>;
  inputCount(): Promise<number>;
  deleteInputStream(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** NATS the gateway talks to; the test NATS by default. */
  gatewayNatsUrl?: string;
  /** false when the gateway's NATS is not a real one (no stream to wait for). */
  waitForStream?: boolean;
  options?: Partial<GatewayOptions>;
  signingSecret?: string;
  /** More environment, e.g. SLACK_APP_TOKEN and SLACK_API_URL for Socket Mode against the Slack fake. */
  env?: Record<string, string>;
}

export async function startGateway(harness: HarnessOptions = {}): Promise<GatewayHarness> {
  const nats = await createTestNats();
  const env = loadEnvironment('gateway', {
    NATS_URL: harness.gatewayNatsUrl ?? nats.url,
    NATS_SUBJECT_PREFIX: nats.prefix,
    CI_WEBHOOK_TOKEN: CI_TOKEN,
    SLACK_SIGNING_SECRET: harness.signingSecret ?? SIGNING_SECRET,
    LOG_LEVEL: 'silent',
    ...harness.env,
  });
  const clock = new TestClock();
  const moduleRef = await Test.createTestingModule({
    imports: [GatewayModule.register({ env, projects: parseProjects(PROJECTS_YAML, 'test') }, harness.options)],
  })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .compile();
  const app: INestApplication = moduleRef.createNestApplication(gatewayHttpAdapter(harness.options), { logger: false });
  await app.listen(0, '127.0.0.1');
  if (harness.waitForStream !== false) await app.get(InputStreamSetup).ready;
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const observer: NatsConnection = await connect({ servers: nats.url, timeout: 3_000 });
  const stream = streamName(nats.prefix, 'INPUTS');
  const codec = StringCodec();
  const jsm = await observer.jetstreamManager();
  const inputCount = async () => {
    try {
      return (await jsm.streams.info(stream)).state.messages;
    } catch {
      return 0;
    }
  };
  return {
    baseUrl,
    natsUrl: nats.url,
    prefix: nats.prefix,
    clock,
    inputCount,
    inputs: async () => {
      const { state } = await jsm.streams.info(stream).catch(() => ({ state: { messages: 0, first_seq: 1, last_seq: 0 } }));
      const stored: StoredInput[] = [];
      for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(stream, { seq });
        stored.push({ subject: m.subject.slice(nats.prefix.length + 1), envelope: JSON.parse(codec.decode(m.data)) as EventEnvelope });
      }
      return stored;
    },
    deleteInputStream: async () => void (await jsm.streams.delete(stream)),
    close: async () => {
      await app.close();
      await observer.close();
      await nats.cleanup();
    },
  };
}

/** Headers of a request signed as Slack signs it, at the harness clock's time. */
export function slackHeaders(body: string, timestampSeconds: number, secret = SIGNING_SECRET): Record<string, string> {
  const timestamp = String(timestampSeconds);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
}

export const ciHeaders = (contentType = 'application/x-www-form-urlencoded'): Record<string, string> => ({
  authorization: `Bearer ${CI_TOKEN}`,
  'content-type': contentType,
});

export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
