import { describe } from '@jest/globals';
import { InMemorySlack } from './in-memory-slack';
import { behavesAsTheSlackMessenger } from './slack-messenger.contract';

describe('in-memory Slack', () => {
  const slack = new InMemorySlack();
  behavesAsTheSlackMessenger(() => slack);
});
