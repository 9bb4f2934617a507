import { Subjects, type BuildEvent, type BuildEventType } from '@app/contracts';
import type { NotificationFlows, ProgressEvent } from './notification.flows';

type EventOf<T extends BuildEventType> = Extract<BuildEvent, { type: T }>;

/** What the notifier does with one type of domain event. */
export type Reaction<E extends BuildEvent> =
  /** Brings Slack in line with the event. A thrown error means "retry later", a PermanentError "dead-letter now". */
  | { handle: (flows: NotificationFlows, event: E) => Promise<void> }
  /** Acknowledged on purpose: counted and logged at debug, nothing else. The text says why showing nothing is right. */
  | { showsNothing: string };

/** The build's progress and every message about it follow the event. */
const follow: Reaction<ProgressEvent> = { handle: (flows, event) => flows.follow(event) };

/**
 * Every domain event type and what the notifier does with it. Typed over the contracts' union:
 * an event type added to `BuildEvent` does not compile until it is listed here, handled or
 * shown nothing with the reason. The notifier consumes the whole EVENTS stream, so an event
 * missing here would otherwise be acknowledged unread by the transport.
 */
export const Reactions: { readonly [T in BuildEventType]: Reaction<EventOf<T>> } = {
  BuildRegistered: follow,
  PreviewDeploymentRequested: follow,
  PreviewDeployed: follow,
  PreviewDeploymentFailed: follow,
  QaApproved: follow,
  QaRejected: follow,
  BuildApproved: follow,
  ProductionDeploymentRequested: follow,
  ProductionDeployed: follow,
  ProductionDeploymentFailed: follow,
  BuildClosed: follow,
  BuildSuperseded: follow,
  PreviewTeardownRequested: follow,
  PreviewRemoved: follow,
  PreviewTeardownFailed: follow,
  LateOutcomeRecorded: {
    showsNothing: 'an outcome of an attempt approvals had already ended: kept for the audit trail, it changes nothing the messages show',
  },
  ActionDenied: { handle: (flows, event) => flows.answerDenial(event) },
  TimerScheduled: follow,
  PreviewKept: follow,
  PreviewExpiryReminded: follow,
  BuildExpired: follow,
  ApprovalReminded: follow,
  ProductionReplaced: follow,
};

/** The subject of every domain event type, each of which the notifier handles (or ignores) on purpose. */
export const DomainEventSubjects: string[] = (Object.keys(Reactions) as BuildEventType[]).map((type) => Subjects[type]);

/** The reaction to `event`'s type. (The cast only tells TS what the lookup by `event.type` means.) */
export const reactionTo = <T extends BuildEventType>(event: EventOf<T>): Reaction<EventOf<T>> => Reactions[event.type as T];
