import { describe } from '@jest/globals';
import { InMemorySlack } from './in-memory-slack';
import { behavesAsTheSlackMessenger } from './slack-messenger.contract';
import { behavesAsTheSlackMessengerDuringOutages } from './slack-outage.contract';

describe('in-memory Slack', () => {
  const slack = new InMemorySlack();
  behavesAsTheSlackMessenger(() => slack);

  describe('during outages', () => {
    behavesAsTheSlackMessengerDuringOutages(() => ({
      slack,
      startOutage: async (how) => slack.startOutage(how),
      endOutage: async () => slack.endOutage(),
    }));
  });
});
