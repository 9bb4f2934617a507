import type { SlackCondition } from './conditions';

/**
 * Public shapes of the Slack Web API fake: what a test configures, reads back and controls.
 * The fake itself speaks Slack's wire protocol; these types are only for the test side.
 */

/** How to start the fake. */
export interface SlackFakeOptions {
  /** Port on 127.0.0.1; 0 or undefined picks a free one. */
  port?: number;
  /** The one bot token that authenticates; default `xoxb-test-token`. */
  token?: string;
  /**
   * Channel ids the bot is a member of. When given, any other C…/G… id answers
   * `channel_not_found`; when left out, every well-formed C…/G… id is accepted as a
   * channel the bot is in (use `addChannel(id, { botIsMember: false })` for `not_in_channel`).
   */
  channels?: string[];
  /**
   * Slack allows about one chat.postMessage per second per conversation. When set, a post to
   * the same conversation sooner than this many ms after the previous one answers HTTP 429
   * with `Retry-After` (whole seconds, at least 1), like Slack's special rate limit. Off by default.
   */
  postIntervalMs?: number;
  /** Called after every recorded call (e.g. to print a transcript in the demo). */
  onCall?: (call: RecordedCall) => void;
  /** The app-level token `apps.connections.open` takes (Socket Mode); default `xapp-1-test-token`. */
  appToken?: string;
  /** How often the Socket Mode endpoint pings each connection; default 5000 ms. */
  socketPingIntervalMs?: number;
}

/** One Socket Mode envelope the fake sent, and the app's acknowledgement. */
export interface SocketEnvelopeRecord {
  envelopeId: string;
  /** `interactive`, `slash_commands` or `events_api`. */
  type: string;
  payload: Record<string, unknown>;
  sentAt: number;
  /** The ack's `payload` (`{}` for a bare ack); absent when none came within 3 s. */
  ack?: Record<string, unknown>;
  ackedAfterMs?: number;
}

/** What came of one envelope sent over Socket Mode. */
export interface SocketDelivery {
  envelopeId: string;
  /** From sending the envelope to its ack (or to giving up). */
  tookMs: number;
  /** The ack's payload (`{}` for a bare ack). */
  ack?: Record<string, unknown>;
  /** `no_connection` (no app connected within the wait), `no_ack` (nothing within 3 s). */
  failure?: 'no_connection' | 'no_ack';
}

/** A person typing a slash command that Slack delivers over Socket Mode (no URL, no signature). */
export type SocketSlashCommandInput = Omit<SlashCommandInput, 'url' | 'signingSecret' | 'badSignature' | 'signedAtMs'>;

/** A modal opened with `views.open`, as Slack answered it, and what became of its submissions. */
/** One `views.publish` of a person's Home tab. */
export interface PublishedHome {
  user: string;
  /** The view as Slack keeps it: the app's view plus id and hash. */
  view: Record<string, unknown>;
  publishedAt: number;
}

export interface OpenedView {
  /** `V…`, what views.open answered as `view.id`. */
  id: string;
  triggerId: string;
  /** The view as Slack keeps it: the app's view plus id, hash, `state`, `private_metadata`, `callback_id`. */
  view: Record<string, unknown>;
  openedAt: number;
  submissions: ViewSubmissionResult[];
  /** Set once a submission closed it (an empty 200, or `response_action: clear`). */
  closedAt?: number;
}

/** A person submits an open modal; Slack posts the view_submission to the app's interactivity URL, signed. */
export interface ViewSubmissionInput {
  /** The app's interactivity Request URL, e.g. `http://127.0.0.1:3000/slack/interactions`. */
  url: string;
  signingSecret: string;
  viewId: string;
  /** Who submits it (Slack user id). */
  user: string;
  /** What the person typed: block id → action id → value (null for an input left empty). */
  values: Record<string, Record<string, string | null>>;
  badSignature?: boolean;
}

/** The same submission delivered over Socket Mode (no URL, no signature). */
export type SocketViewSubmissionInput = Omit<ViewSubmissionInput, 'url' | 'signingSecret' | 'badSignature'>;

/** What came of a submission: Slack closes the modal on an empty 200, shows `errors` under the inputs, or an error. */
export interface ViewSubmissionResult {
  status?: number;
  /** The app's JSON answer, when it answered one. */
  answer?: Record<string, unknown>;
  tookMs: number;
  closed: boolean;
  /** `response_action: errors`: block id → the message Slack shows under that input. */
  errors?: Record<string, string>;
  /** `operation_timeout` (no answer within 3 s), `http_status_<n>`, `invalid_response`, `no_connection`, … */
  failure?: string;
}

/** One HTTP request the fake received, in arrival order. */
export interface RecordedCall {
  /** Web API method from the path, e.g. `chat.postMessage`. */
  method: string;
  /** Parsed arguments (form or JSON); `blocks`/`attachments`/`metadata` parsed to objects when they are valid JSON. */
  args: Record<string, unknown>;
  /** The JSON body that was answered. */
  response: Record<string, unknown>;
  /** HTTP status: 200, 429 when rate limited, 5xx under a `server-error` condition (then `response.error` is `http_<status>`). */
  httpStatus: number;
  /** Receipt time, ms since the epoch. */
  at: number;
}

/** A message as it stands now in the fake workspace (after any edits). */
export interface SlackMessage {
  /** Conversation id: C…/G… for channels, D… for a direct message. */
  channel: string;
  ts: string;
  /** Set on replies only: the parent's ts. */
  thread_ts?: string;
  reply_broadcast?: boolean;
  text: string;
  blocks?: unknown[];
  /** The bot user that posted it. */
  user: string;
  bot_id: string;
  /** How many times chat.update changed it. */
  editCount: number;
  /** Earlier versions, oldest first (empty when never edited). */
  history: Array<{ text: string; blocks?: unknown[]; at: number }>;
  /** When chat.postMessage created it, ms since the epoch (for pacing assertions). */
  postedAt: number;
  /** Message metadata given to chat.postMessage, returned by history with `include_all_metadata`. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** An ephemeral message: shown to one user in one conversation, never stored in history. */
export interface EphemeralMessage {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  message_ts: string;
  at: number;
  /** How it was shown: `chat.postEphemeral` (the default), or as the answer to a slash command. */
  via?: 'chat.postEphemeral' | 'slash-command';
}

/** A person typing a slash command, as the fake sends it to the app (`SlackFake.slashCommand`). */
export interface SlashCommandInput {
  /** The app's Request URL for the command, e.g. `http://127.0.0.1:3000/slack/commands`. */
  url: string;
  signingSecret: string;
  /** Who typed it, and in which conversation (a C…/G… channel, a D… DM, or a user id for their DM with the bot). */
  user: string;
  channel: string;
  /** What follows the command; `''` for the command alone. */
  text: string;
  /** Default `/deploybot`. */
  command?: string;
  teamId?: string;
  /** Sign with a wrong secret, as an attacker without it would. */
  badSignature?: boolean;
  /** Sign as of this time (ms since the epoch) instead of now, e.g. to be older than five minutes. */
  signedAtMs?: number;
}

/** What came of a slash command: the app's answer, and what Slack showed the person (or why it could not). */
export interface SlashCommandResult {
  /** HTTP status of the app's answer (absent when none came). */
  status?: number;
  /** The app's JSON answer (a plain-text body as `{ text }`). */
  answer?: Record<string, unknown>;
  /** A non-200 body as received. */
  raw?: string;
  tookMs: number;
  /** Where Slack showed the answer: to the person alone, or in the conversation. Absent for an empty 200 or a failure. */
  shown?: { kind: 'ephemeral' | 'in_channel'; channel: string; ts: string };
  /** Why Slack showed the person an error instead: `operation_timeout` (no answer within 3 s), `http_status_<n>`, `invalid_blocks: …`, `unreachable: …`. */
  failure?: string;
}

/** The handle a test holds on a running fake. */
export interface SlackFake {
  /** Base URL for `new WebClient(token, { slackApiUrl })`; ends with `/api/`. */
  readonly apiUrl: string;
  readonly token: string;
  /** Every call in order, or only those of one method. */
  calls(method?: string): RecordedCall[];
  /** Current messages (ts order, replies included) of a conversation id or a user's DM; all when omitted. */
  messages(channelOrUser?: string): SlackMessage[];
  /** Replies under a parent message, oldest first (the parent itself is not included). */
  thread(channelOrUser: string, ts: string): SlackMessage[];
  /** Ephemeral messages, all or those shown to one user. */
  ephemerals(user?: string): EphemeralMessage[];
  /**
   * A person types a slash command: the fake posts it to the app signed as Slack does, waits at
   * most 3 s for the answer, and shows it (an ephemeral answer appears in `ephemerals(user)`).
   */
  slashCommand(input: SlashCommandInput): Promise<SlashCommandResult>;
  /** Modals opened with `views.open`, oldest first, with what became of their submissions. */
  views(): OpenedView[];
  /** Home tabs published with `views.publish`, oldest first; or those of one person. */
  homes(user?: string): PublishedHome[];
  /**
   * A person submits an open modal: the fake posts the `view_submission` to `url` signed as Slack
   * does, waits at most 3 s, and closes the modal on an empty 200 (or shows the `errors` it answered).
   */
  submitView(input: ViewSubmissionInput): Promise<ViewSubmissionResult>;
  /** The same over Socket Mode: an `interactive` envelope with the view_submission; the ack's payload is the answer. */
  socketViewSubmission(input: SocketViewSubmissionInput, connectionWaitMs?: number): Promise<ViewSubmissionResult>;
  /** The app-level token (`xapp-…`) `apps.connections.open` takes. */
  readonly appToken: string;
  /**
   * Socket Mode: a person's click (an `interactive` envelope with this block_actions payload) sent
   * on an open connection — waiting up to `connectionWaitMs` (default 10 s) for the app to connect —
   * and the app's ack, within 3 s.
   */
  socketInteraction(payload: Record<string, unknown>, connectionWaitMs?: number): Promise<SocketDelivery>;
  /** Socket Mode: a slash command (`slash_commands` envelope, the fields Slack posts over HTTP), its answer shown as Slack shows it. */
  socketSlashCommand(input: SocketSlashCommandInput, connectionWaitMs?: number): Promise<SlashCommandResult & { envelopeId: string }>;
  /** Socket Mode: an Events API callback carrying `event` (an `events_api` envelope). */
  socketEvent(event: Record<string, unknown>, connectionWaitMs?: number): Promise<SocketDelivery>;
  /** Socket Mode connections open now (hello sent, not closed). */
  socketConnections(): number;
  /** Socket Mode connections ever opened: one more after each reconnect. */
  socketConnectionsOpened(): number;
  /** Every envelope sent, with its ack. */
  socketEnvelopes(): SocketEnvelopeRecord[];
  /** Slack asks every connection to reconnect: a `disconnect` message (default reason `refresh_requested`). */
  refreshSocketConnections(reason?: string): void;
  /** Every Socket Mode connection breaks at once, without a close frame. */
  dropSocketConnections(): void;
  /** The stable D… id of a user's DM with the bot. */
  dmChannelOf(userId: string): string;
  /** The next `times` calls of `method` (or `*` for any) answer 429 with `Retry-After` (default 1 s). */
  rateLimitNext(method: string, times: number, retryAfterSeconds?: number): void;
  /** The next `times` (default 1) calls of `method` (or `*`) answer `{ok:false, error}` with no effect. */
  failNext(method: string, error: string, times?: number): void;
  /**
   * The next `times` (default 1) calls of `method` (or `*`) take effect as usual, but their answer
   * is sent only `delayMs` later: a client with a shorter timeout gives up on a call Slack carried out.
   */
  answerLateNext(method: string, delayMs: number, times?: number): void;
  /**
   * Puts a standing condition in force until it is replaced or lifted (`undefined`): every call
   * stalls, is rate limited or gets a 5xx, or the port refuses connections (`down`). Resolves once
   * the port is closed or listening again. One-call faults (`failNext`…) apply under a stall only.
   */
  setCondition(condition: SlackCondition | undefined): Promise<void>;
  /** The condition in force, if any. */
  condition(): SlackCondition | undefined;
  /** Make a channel known; the bot is a member unless `botIsMember: false`. */
  addChannel(id: string, opts?: { botIsMember?: boolean }): void;
  /** Poll until `predicate` returns a truthy value; rejects after `timeoutMs` (default 5000) listing recent calls. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** Forget messages, ephemerals, calls and planned faults; channels go back to the start options. */
  reset(): void;
  stop(): Promise<void>;
}
