import { LogLevel, WebClient, type Logger, type WebClientOptions } from '@slack/web-api';
import type { SlackFake } from './slack-fake.types';

/** Fast retries, so a test spends its time only in Retry-After. */
export const FAST_RETRIES = { retries: 5, factor: 1, minTimeout: 10, maxTimeout: 50 };

/**
 * WebClient logs Slack's response_metadata messages and retry notices; in these specs the
 * assertions say what happened, so the log stays quiet.
 */
const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The real WebClient, pointed at the fake the way the notifier constructs it. */
export function webClientFor(fake: SlackFake, options: WebClientOptions & { token?: string } = {}): WebClient {
  const { token = fake.token, ...rest } = options;
  return new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: FAST_RETRIES, timeout: 2000, logger: quietLogger, ...rest });
}
