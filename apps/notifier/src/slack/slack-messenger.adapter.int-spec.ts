import { afterAll, beforeAll, describe } from '@jest/globals';
import { startSlackFake, type SlackFake } from '../../../../test/fakes/slack';
import { CHANNEL } from '../../test/build-fixtures';
import { behavesAsTheSlackMessenger } from '../../test/slack-messenger.contract';
import { WebClientSlackMessenger } from './slack-messenger.adapter';

describe('Slack messenger over the Web API (against the Slack fake)', () => {
  let fake: SlackFake;
  let slack: WebClientSlackMessenger;

  beforeAll(async () => {
    fake = await startSlackFake({ channels: [CHANNEL] });
    slack = new WebClientSlackMessenger({
      token: fake.token,
      apiUrl: fake.apiUrl,
      timeoutMs: 2_000,
      postIntervalMs: 0,
      retry: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10, randomize: false },
    });
  });

  afterAll(async () => {
    await fake?.stop();
  });

  behavesAsTheSlackMessenger(() => slack);
});
