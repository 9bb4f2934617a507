import { DEFAULT_OUTAGE_SETTINGS, type SlackOutageSettings } from './slack-reachability';

/** How the notifier talks to Slack; defaults suit production, tests make them fast. */
export interface SlackSettings {
  /** The bot token (`xoxb-…`), from SLACK_BOT_TOKEN. Never logged. */
  token: string;
  /** Slack Web API base URL, from SLACK_API_URL (tests point it at the fake). */
  apiUrl: string;
  /** Timeout of one HTTP request to Slack. */
  timeoutMs: number;
  /**
   * WebClient's retries (p-retry/`retry` options). A 429 waits `Retry-After` and then counts as
   * one retry, so `retries` bounds how many 429s in a row one call survives.
   */
  retry: { retries: number; factor: number; minTimeout: number; maxTimeout: number; randomize: boolean };
  /** Posts to one conversation settle at one per `postIntervalMs` (Slack: about 1 message per second per channel)… */
  postIntervalMs: number;
  /** …after a burst of this many at once (Slack allows short bursts; ChannelPacer). */
  postBurst: number;
  /**
   * Timeout of `views.open`: the gateway waits rejectModalTimeoutMs (1.5 s) for the modal, and
   * Slack's trigger id lasts 3 s from the click, so this is shorter than both. Never retried.
   * Default VIEWS_OPEN_TIMEOUT_MS.
   */
  viewsOpenTimeoutMs?: number;
  /** How a Slack that stopped answering is probed (slack-reachability.ts). */
  outage: SlackOutageSettings;
}

export const VIEWS_OPEN_TIMEOUT_MS = 1_200;

export const DEFAULT_SLACK_SETTINGS: Omit<SlackSettings, 'token' | 'apiUrl'> = {
  timeoutMs: 10_000,
  // 6 attempts over about a minute, on top of any Retry-After waits.
  retry: { retries: 5, factor: 2, minTimeout: 1_000, maxTimeout: 20_000, randomize: true },
  postIntervalMs: 1_000,
  postBurst: 3,
  viewsOpenTimeoutMs: VIEWS_OPEN_TIMEOUT_MS,
  outage: DEFAULT_OUTAGE_SETTINGS,
};

/** DI token of the SlackSettings. */
export const SLACK_SETTINGS = Symbol('SLACK_SETTINGS');
