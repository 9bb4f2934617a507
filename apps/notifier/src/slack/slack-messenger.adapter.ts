import { Logger as NestLogger } from '@nestjs/common';
import {
  ErrorCode,
  LogLevel,
  WebClient,
  type ChatPostMessageArguments,
  type KnownBlock as SlackKnownBlock,
  type Logger as SlackLogger,
} from '@slack/web-api';
import type { OutgoingMessage } from '../messages/block-kit';
import { ChannelPacer } from './channel-pacer';
import { classifyPlatformError, hintFor, SlackCallFailed } from './slack-call-failed';
import type { EphemeralRequest, MessageRef, PostRequest, SlackMessenger } from './slack-messenger.port';
import type { SlackSettings } from './slack-settings';

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * The SlackMessenger over the real `@slack/web-api` WebClient — the only file that imports it.
 * Posts are paced per conversation; a 429 is waited out by WebClient (`Retry-After`, as
 * `rejectRateLimitedCalls` is false) within `retryConfig`; every error leaves as SlackCallFailed.
 */
export class WebClientSlackMessenger implements SlackMessenger {
  private readonly client: WebClient;
  private readonly pacer: ChannelPacer;
  /** user id → their D… conversation, learnt from answers, so a DM and its thread share one pace. */
  private readonly dmOf = new Map<string, string>();

  constructor(settings: SlackSettings) {
    this.client = new WebClient(settings.token, {
      slackApiUrl: settings.apiUrl,
      timeout: settings.timeoutMs,
      retryConfig: settings.retry,
      rejectRateLimitedCalls: false,
      logger: slackLogger(),
    });
    this.pacer = new ChannelPacer(settings.postIntervalMs);
  }

  async post(request: PostRequest): Promise<MessageRef> {
    const conversation = this.dmOf.get(request.to) ?? request.to;
    // Built as one object: the argument type is a union (text/blocks, thread/broadcast) TS cannot narrow from spreads.
    const args = {
      channel: request.to,
      text: request.message.text,
      ...(request.message.blocks ? { blocks: toSlack(request.message) } : {}),
      ...(request.threadTs ? { thread_ts: request.threadTs, reply_broadcast: request.broadcast ?? false } : {}),
      ...(request.effect ? { metadata: { event_type: 'deploybot_effect', event_payload: { effect: request.effect } } } : {}),
      unfurl_links: false,
      unfurl_media: false,
    } as ChatPostMessageArguments;
    const answer = await this.pacer.run(conversation, () =>
      this.call('chat.postMessage', request.to, () => this.client.chat.postMessage(args)),
    );
    if (!answer.channel || !answer.ts) {
      throw new SlackCallFailed('chat.postMessage', 'no_ts', 'transient', true, 'Slack answered ok without channel/ts');
    }
    if (USER_ID.test(request.to)) this.dmOf.set(request.to, answer.channel);
    return { channel: answer.channel, ts: answer.ts };
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    // `blocks: []` removes blocks a previous version had; Slack keeps what an update leaves out.
    await this.call('chat.update', ref.channel, () =>
      this.client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: toSlack(message) }),
    );
  }

  async postEphemeral(request: EphemeralRequest): Promise<void> {
    await this.pacer.run(request.channel, () =>
      this.call('chat.postEphemeral', request.channel, () =>
        this.client.chat.postEphemeral({
          channel: request.channel,
          user: request.user,
          text: request.message.text,
          ...(request.message.blocks ? { blocks: toSlack(request.message) } : {}),
        }),
      ),
    );
  }

  /** Who the token belongs to; proves the token and the API URL work. */
  async whoAmI(): Promise<{ team: string; user: string }> {
    const answer = await this.call('auth.test', 'the bot token', () => this.client.auth.test());
    return { team: answer.team ?? '?', user: answer.user ?? '?' };
  }

  private async call<T>(method: string, where: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw classify(method, where, error);
    }
  }
}

/** Our Block Kit types are Slack's shapes; this is where the compiler checks that. */
const toSlack = (message: OutgoingMessage): SlackKnownBlock[] => (message.blocks ?? []) satisfies SlackKnownBlock[];

type WebApiError = Error & { code?: string; data?: { error?: string }; original?: Error & { cause?: { code?: string } }; statusCode?: number };

function classify(method: string, where: string, error: unknown): SlackCallFailed {
  const e = error as WebApiError;
  switch (e?.code) {
    case ErrorCode.PlatformError:
      return classifyPlatformError(method, e.data?.error ?? 'unknown_error', where);
    case ErrorCode.RateLimitedError:
      return new SlackCallFailed(method, 'rate_limited', 'transient', false, hintFor('rate_limited', 'transient', where));
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      if (status >= 500) return new SlackCallFailed(method, `http_${status}`, 'transient', true, hintFor('http', 'transient', where));
      return new SlackCallFailed(method, `http_${status}`, 'setup', false, `Slack answered HTTP ${status}: check SLACK_API_URL (expected https://slack.com/api/)`);
    }
    case ErrorCode.RequestError: {
      // WebClient turns "still 429 after the last retry" into a request error; a 429 did nothing.
      if (e.original?.message.startsWith('A rate limit was exceeded')) {
        return new SlackCallFailed(method, 'rate_limited', 'transient', false, 'Slack kept answering 429 (rate limited); the event is retried with backoff');
      }
      const refused = e.original?.cause?.code === 'ECONNREFUSED' || e.original?.cause?.code === 'ENOTFOUND';
      return new SlackCallFailed(method, 'request_error', 'transient', !refused, `${e.original?.message ?? e.message}; the event is retried with backoff`);
    }
    default:
      return new SlackCallFailed(method, 'unexpected_error', 'transient', true, (e as Error)?.message ?? String(error));
  }
}

/** WebClient's log lines (rate-limit waits, retries) into the service's JSON log; it never logs the token. */
function slackLogger(): SlackLogger {
  const logger = new NestLogger('SlackWebClient');
  const line = (parts: unknown[]) => parts.map(String).join(' ');
  return {
    debug: () => undefined,
    info: (...parts) => logger.log(line(parts)),
    warn: (...parts) => logger.warn(line(parts)),
    error: (...parts) => logger.error(line(parts)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
