import { Logger as NestLogger } from '@nestjs/common';
import {
  ErrorCode,
  LogLevel,
  WebClient,
  type ChatPostMessageArguments,
  type KnownBlock as SlackKnownBlock,
  type HomeView as SlackHomeView,
  type ModalView as SlackModalView,
  type Logger as SlackLogger,
} from '@slack/web-api';
import type { HomeView } from '../home/home.blocks';
import type { OutgoingMessage } from '../messages/block-kit';
import type { ModalView } from '../modals/reject-modal.view';
import { ChannelPacer } from './channel-pacer';
import { classifyPlatformError, hintFor, SlackCallFailed } from './slack-call-failed';
import type { EphemeralRequest, MessageRef, PostQuery, PostRequest, SlackMessenger } from './slack-messenger.port';
import { VIEWS_OPEN_TIMEOUT_MS, type SlackSettings } from './slack-settings';
import type { SlackViews } from './slack-views.port';

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** The metadata event type every post carries, with the ledger effect as payload. */
const EFFECT_EVENT = 'deploybot_effect';
/** How far back before the first try a lookup starts, for clocks that disagree. */
const LOOKUP_SKEW_SECONDS = 120;
const LOOKUP_PAGE = 200;
const LOOKUP_MAX_PAGES = 10;
/** Answers that mean "may not read history here, ever": later look-ups are skipped, never the post. */
const NO_HISTORY_ACCESS = new Set(['missing_scope', 'not_allowed_token_type', 'no_permission']);

/**
 * The SlackMessenger over the real `@slack/web-api` WebClient — the only file that imports it.
 * Posts are paced per conversation; every error leaves as SlackCallFailed.
 *
 * Two clients, because a post is not idempotent: reads and edits go through `client`, whose
 * `retryConfig` retries anything (and waits out 429s, `rejectRateLimitedCalls: false`). Posts
 * go through `poster`, which never retries on its own: WebClient would re-send a post whose
 * request timed out after Slack accepted it, and Slack would show it twice. A 429 (which does
 * nothing on Slack's side) is waited out here instead; any other failure goes back to the
 * effect runner, whose next try first looks for the earlier post (`findPost`).
 */
export class WebClientSlackMessenger implements SlackMessenger, SlackViews {
  private readonly logger = new NestLogger('SlackMessenger');
  private readonly client: WebClient;
  private readonly poster: WebClient;
  /** `views.open`: a trigger id lasts 3 s, so a short timeout and no retries (a second try would come too late). */
  private readonly opener: WebClient;
  private readonly pacer: ChannelPacer;
  /** How many 429s in a row one post waits out before it fails (then the event is retried). */
  private readonly rateLimitWaits: number;
  /** user id → their D… conversation, learnt from answers, so a DM and its thread share one pace. */
  private readonly dmOf = new Map<string, string>();
  private historyRefused = false;

  constructor(settings: Omit<SlackSettings, 'outage'>) {
    const common = { slackApiUrl: settings.apiUrl, timeout: settings.timeoutMs, logger: slackLogger() };
    this.client = new WebClient(settings.token, { ...common, retryConfig: settings.retry, rejectRateLimitedCalls: false });
    this.poster = new WebClient(settings.token, { ...common, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    this.opener = new WebClient(settings.token, {
      ...common,
      timeout: settings.viewsOpenTimeoutMs ?? VIEWS_OPEN_TIMEOUT_MS,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    this.pacer = new ChannelPacer(settings.postIntervalMs, settings.postBurst);
    this.rateLimitWaits = settings.retry.retries;
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
      this.call('chat.postMessage', request.to, () => this.waitingOutRateLimits(() => this.poster.chat.postMessage(args))),
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
        this.waitingOutRateLimits(() =>
          this.poster.chat.postEphemeral({
            channel: request.channel,
            user: request.user,
            text: request.message.text,
            ...(request.message.blocks ? { blocks: toSlack(request.message) } : {}),
          }),
        ),
      ),
    );
  }

  async open(triggerId: string, view: ModalView): Promise<{ viewId: string }> {
    const answer = await this.call('views.open', 'a modal', () =>
      this.opener.views.open({ trigger_id: triggerId, view: view satisfies SlackModalView }),
    );
    if (!answer.view?.id) throw new SlackCallFailed('views.open', 'no_view', 'transient', false, 'Slack answered ok without a view id');
    return { viewId: answer.view.id };
  }

  async publish(user: string, view: HomeView): Promise<void> {
    await this.call('views.publish', user, () => this.client.views.publish({ user_id: user, view: view satisfies SlackHomeView }));
  }

  async findPost(query: PostQuery): Promise<MessageRef | undefined> {
    if (this.historyRefused) return undefined;
    try {
      const channel = await this.conversationOf(query.to);
      const oldest = String(Math.floor(query.since.getTime() / 1000) - LOOKUP_SKEW_SECONDS);
      let cursor: string | undefined;
      for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
        const common = { channel, oldest, include_all_metadata: true, limit: LOOKUP_PAGE, ...(cursor ? { cursor } : {}) };
        const answer = query.threadTs
          ? await this.call('conversations.replies', channel, () => this.client.conversations.replies({ ...common, ts: query.threadTs! }))
          : await this.call('conversations.history', channel, () => this.client.conversations.history(common));
        const found = answer.messages?.find(
          (m) =>
            m.metadata?.event_type === EFFECT_EVENT &&
            (m.metadata.event_payload as Record<string, unknown> | undefined)?.effect === query.effect,
        );
        if (found?.ts) return { channel, ts: found.ts };
        cursor = answer.has_more ? answer.response_metadata?.next_cursor : undefined;
        if (!cursor) return undefined;
      }
      return undefined;
    } catch (error) {
      if (!(error instanceof SlackCallFailed)) throw error;
      // Never let the look-up stand in the way of the post: at worst it is posted twice, never lost.
      if (NO_HISTORY_ACCESS.has(error.code) || error.code === 'unknown_method') {
        this.historyRefused = true;
        this.logger.warn({
          msg: `Slack does not let deploybot read conversation history (${error.code}): a post whose answer was lost is posted again instead of being found; add the scopes channels:history, groups:history and im:history to avoid such duplicates`,
        });
      } else {
        this.logger.warn({
          msg: `could not look for an earlier try of a post (${error.code}); posting it again`,
          conversation: query.to,
          effect: query.effect,
        });
      }
      return undefined;
    }
  }

  /** The conversation id of a channel id, or of a user's DM with the bot. */
  private async conversationOf(to: string): Promise<string> {
    if (!USER_ID.test(to)) return to;
    const known = this.dmOf.get(to);
    if (known) return known;
    const answer = await this.call('conversations.open', to, () => this.client.conversations.open({ users: to }));
    if (!answer.channel?.id)
      throw new SlackCallFailed('conversations.open', 'no_channel', 'transient', false, 'Slack answered ok without a channel id');
    this.dmOf.set(to, answer.channel.id);
    return answer.channel.id;
  }

  /** Sends a post again after each 429 (Slack did nothing), waiting as long as Slack asked. */
  private async waitingOutRateLimits<T>(send: () => Promise<T>): Promise<T> {
    for (let waited = 0; ; waited++) {
      try {
        return await send();
      } catch (error) {
        const retryAfter =
          (error as { code?: string; retryAfter?: number }).code === ErrorCode.RateLimitedError
            ? (error as { retryAfter: number }).retryAfter
            : undefined;
        if (retryAfter === undefined || waited >= this.rateLimitWaits) throw error;
        this.logger.log({ msg: `Slack rate limited a post; sending it again in ${retryAfter} s` });
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      }
    }
  }

  /**
   * One `auth.test` through the client that never retries: SlackReachability's probe while Slack
   * is down, so a probe is one request, answered or failed within `timeoutMs`.
   */
  async probe(): Promise<void> {
    await this.call('auth.test', 'the bot token', () => this.poster.auth.test());
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

type WebApiError = Error & {
  code?: string;
  data?: { error?: string };
  original?: Error & { cause?: { code?: string } };
  statusCode?: number;
};

function classify(method: string, where: string, error: unknown): SlackCallFailed {
  const e = error as WebApiError;
  switch (e?.code) {
    case ErrorCode.PlatformError:
      return classifyPlatformError(method, e.data?.error ?? 'unknown_error', where);
    case ErrorCode.RateLimitedError:
      return new SlackCallFailed(method, 'rate_limited', 'unavailable', false, hintFor('rate_limited', 'unavailable', where));
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      if (status >= 500) return new SlackCallFailed(method, `http_${status}`, 'unavailable', true, hintFor('http', 'unavailable', where));
      return new SlackCallFailed(
        method,
        `http_${status}`,
        'setup',
        false,
        `Slack answered HTTP ${status}: check SLACK_API_URL (expected https://slack.com/api/)`,
      );
    }
    case ErrorCode.RequestError: {
      // WebClient turns "still 429 after the last retry" into a request error; a 429 did nothing.
      if (e.original?.message.startsWith('A rate limit was exceeded')) {
        return new SlackCallFailed(
          method,
          'rate_limited',
          'unavailable',
          false,
          'Slack kept answering 429 (rate limited); the event waits until Slack accepts calls again',
        );
      }
      // Refused or not resolved: the request never left; a timeout or a cut connection may have been carried out.
      const refused = e.original?.cause?.code === 'ECONNREFUSED' || e.original?.cause?.code === 'ENOTFOUND';
      return new SlackCallFailed(
        method,
        'request_error',
        'unavailable',
        !refused,
        `${e.original?.message ?? e.message}; the event waits until Slack answers again`,
      );
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
