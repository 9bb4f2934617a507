/** Limits and deadlines of the HTTP edge; defaults suit production, tests shorten them. */
export interface GatewayOptions {
  /** Largest request body accepted; larger ones get 413. */
  bodyLimitBytes: number;
  /** How long CI waits for JetStream's ack before it gets 503 (and retries). */
  ciPublishTimeoutMs: number;
  /** Slack gives up after 3 s; the click is answered with a retry hint after this long. */
  slackPublishTimeoutMs: number;
  /**
   * How long a Reject click waits for the notifier to open the reject modal (Slack's trigger id
   * lasts 3 s); past it the click is a reject without a reason, published within what is left of
   * slackPublishTimeoutMs.
   */
  rejectModalTimeoutMs: number;
  /** How long a status query waits for approvals. */
  queryTimeoutMs: number;
  /** How long a slash command's query waits for approvals: the answer must reach Slack within 3 s. */
  slashCommandTimeoutMs: number;
  /** Seconds in `Retry-After` of a 503. */
  retryAfterSeconds: number;
  /** Socket Mode: how long the client waits for Slack's pong before it drops the connection. */
  socketPingTimeoutMs: number;
  /** Socket Mode: a connection Slack has not pinged for this long is dropped and opened again. */
  socketServerPingTimeoutMs: number;
  /**
   * Socket Mode: the wait before opening a lost connection again, doubled after each failed try up
   * to socketReconnectMaxDelayMs. A connection Slack asked to refresh is opened again at once.
   */
  socketReconnectDelayMs: number;
  socketReconnectMaxDelayMs: number;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

export const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = {
  bodyLimitBytes: 64 * 1024,
  ciPublishTimeoutMs: 5_000,
  slackPublishTimeoutMs: 2_500,
  rejectModalTimeoutMs: 1_500,
  queryTimeoutMs: 2_000,
  slashCommandTimeoutMs: 2_000,
  retryAfterSeconds: 5,
  socketPingTimeoutMs: 5_000,
  socketServerPingTimeoutMs: 30_000,
  socketReconnectDelayMs: 1_000,
  socketReconnectMaxDelayMs: 30_000,
};
