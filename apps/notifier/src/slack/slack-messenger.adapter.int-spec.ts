import { afterAll, beforeAll, describe } from '@jest/globals';
import { startSlackFake, type SlackFake } from '../../../../test/fakes/slack';
import { CHANNEL } from '../../test/build-fixtures';
import { RecordingLogger } from '../../test/recording-logger';
import type { FakeOutage } from '../../test/in-memory-slack';
import { behavesAsTheSlackMessenger } from '../../test/slack-messenger.contract';
import { behavesAsTheSlackMessengerDuringOutages } from '../../test/slack-outage.contract';
import { WebClientSlackMessenger } from './slack-messenger.adapter';

/** The Slack fake's standing condition for each kind of outage (a stall longer than the timeout). */
const CONDITIONS = {
  refused: { kind: 'down' },
  'server-error': { kind: 'server-error', status: 503 },
  stall: { kind: 'stall', delayMs: 600, effect: 'at-once' },
} as const satisfies Record<FakeOutage, unknown>;

describe('Slack messenger over the Web API (against the Slack fake)', () => {
  let fake: SlackFake;
  let slack: WebClientSlackMessenger;

  beforeAll(async () => {
    RecordingLogger.install(); // the outages' warnings stay out of the test output
    fake = await startSlackFake({ channels: [CHANNEL] });
    slack = new WebClientSlackMessenger({
      token: fake.token,
      apiUrl: fake.apiUrl,
      timeoutMs: 2_000,
      postIntervalMs: 0,
      postBurst: 1,
      retry: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10, randomize: false },
    });
  });

  afterAll(async () => {
    await fake?.stop();
  });

  behavesAsTheSlackMessenger(() => slack);

  describe('during outages', () => {
    let impatient: WebClientSlackMessenger;

    beforeAll(() => {
      impatient = new WebClientSlackMessenger({
        token: fake.token,
        apiUrl: fake.apiUrl,
        timeoutMs: 250,
        postIntervalMs: 0,
        postBurst: 1,
        retry: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10, randomize: false },
      });
    });

    behavesAsTheSlackMessengerDuringOutages(() => ({
      slack: impatient,
      startOutage: (how) => fake.setCondition(CONDITIONS[how]),
      endOutage: () => fake.setCondition(undefined),
    }));
  });
});
