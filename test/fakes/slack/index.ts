/**
 * A local Slack Web API for tests, e2e runs and the demo: speaks the wire protocol the real
 * `@slack/web-api` WebClient uses, records every call, and misbehaves on request (429, errors).
 */
export { startSlackFake, DEFAULT_TOKEN, DEFAULT_APP_TOKEN } from './slack-api.fake';
export { renderMessage } from './message-renderer';
export { describeCall } from './wait-for';
export { BOT as FAKE_BOT } from './workspace';
export type { SlackCondition } from './conditions';
export { signedSlashCommand, SLASH_COMMAND_TIMEOUT_MS } from './slash-commands';
export { SOCKET_ACK_TIMEOUT_MS } from './socket-mode';
export { TRIGGER_TTL_MS, VIEW_SUBMISSION_TIMEOUT_MS } from './views';
export { HOME_MAX_BLOCKS } from './home-views';
export { appHomeOpened, eventCallback, sendEvent, urlVerification, EVENT_ACK_TIMEOUT_MS } from './events-api';
export type { EventDeliveryInput, EventDeliveryResult } from './events-api';
export type {
  EphemeralMessage,
  OpenedView,
  PublishedHome,
  RecordedCall,
  SlackFake,
  SlackFakeOptions,
  SlackMessage,
  SlashCommandInput,
  SlashCommandResult,
  SocketDelivery,
  SocketEnvelopeRecord,
  SocketSlashCommandInput,
  SocketViewSubmissionInput,
  ViewSubmissionInput,
  ViewSubmissionResult,
} from './slack-fake.types';
