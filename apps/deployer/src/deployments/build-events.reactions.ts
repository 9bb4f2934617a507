import { Subjects } from '@app/contracts';
import type { BuildEvent, BuildEventType, DeploymentFailed, DeploymentSucceeded, PreviewTornDown } from '@app/contracts';
import type { DeploymentOrder } from '../manifests/deployment-order';
import { previewOrder, productionOrder, teardownOrder, type TeardownOrder } from './deployment-orders';

type EventOf<T extends BuildEventType> = Extract<BuildEvent, { type: T }>;

/** The one outcome of an attempt, reported to approvals (stream INPUTS). */
export type Outcome = DeploymentSucceeded | DeploymentFailed | PreviewTornDown;

/** An event of an acting type that turned out to ask for nothing; the text says why. */
export interface NothingToDo {
  nothingToDo: string;
}

/** What the deployer can do for a request, bound to the message being handled (its shutdown signal). */
export interface DeployerWork {
  deploy(order: DeploymentOrder): Promise<DeploymentSucceeded | DeploymentFailed>;
  tearDown(order: TeardownOrder): Promise<PreviewTornDown>;
  /** For requests written before they carried their rollout deadline. */
  readonly rolloutTimeoutSeconds: number;
}

/** What the deployer does with one type of domain event. */
export type Reaction<E extends BuildEvent> =
  /** Work in the cluster: resolves with the outcome to report. Throws what a redelivery may fix (the shutdown's `Interrupted`, a busy workload). */
  | { act: (work: DeployerWork, event: E) => Promise<Outcome | NothingToDo> }
  /** Acknowledged on purpose: counted and logged at debug, nothing else. The text says why the cluster has nothing to do. */
  | { ignore: string };

/** Approvals recorded how an attempt ended; the deployer reported it, or stopped at the same deadline. */
const recorded = (what: string): { ignore: string } => ({
  ignore: `approvals' record of ${what}: the deployer reported it, or had stopped by the same deadline; nothing is left to do in the cluster`,
});

/**
 * Every domain event type and what the deployer does with it. Typed over the contracts' union: an
 * event type added to `BuildEvent` does not compile until it is listed here, acted on or ignored
 * with the reason. The deployer consumes the whole EVENTS stream, so an event missing here would
 * otherwise be acknowledged unread by the transport.
 *
 * The types it acts on are the deployer's requests: approvals reads their dead letters
 * (DeployerRequestSubjects), so each has exactly one outcome or ends as a dead letter.
 */
export const Reactions: { readonly [T in BuildEventType]: Reaction<EventOf<T>> } = {
  BuildRegistered: { ignore: 'a new build: its preview is asked for by the PreviewDeploymentRequested that follows' },
  PreviewDeploymentRequested: { act: (work, event) => work.deploy(previewOrder(event, work.rolloutTimeoutSeconds)) },
  PreviewDeployed: recorded('a preview deployment that succeeded'),
  PreviewDeploymentFailed: recorded('a preview deployment that failed'),
  QaApproved: { ignore: "a QA verdict: policy is approvals', and the cluster changes only when approvals asks for a deployment" },
  QaRejected: { ignore: "a QA verdict: policy is approvals', and the cluster changes only when approvals asks for a deployment" },
  BuildApproved: { ignore: 'the approval rule is met: production is deployed only when an owner asks (ProductionDeploymentRequested)' },
  ProductionDeploymentRequested: { act: (work, event) => work.deploy(productionOrder(event, work.rolloutTimeoutSeconds)) },
  ProductionDeployed: recorded('a production deployment that succeeded'),
  ProductionDeploymentFailed: recorded('a production deployment that failed'),
  BuildClosed: {
    // Written by older versions, a BuildClosed (no attemptId) was the teardown request itself.
    act: async (work, event) =>
      event.data.attemptId
        ? {
            nothingToDo:
              'a PreviewTeardownRequested with the same attempt follows it and tears the preview down; both would be double work',
          }
        : work.tearDown(teardownOrder(event)),
  },
  BuildSuperseded: {
    ignore:
      "the newer build's own PreviewDeploymentRequested takes the workload over; a rollout of this build still running loses to it through the workload Lease",
  },
  PreviewTeardownRequested: { act: (work, event) => work.tearDown(teardownOrder(event)) },
  PreviewRemoved: recorded('a teardown that succeeded'),
  PreviewTeardownFailed: recorded('a teardown that failed (an owner retries it with Close, a new PreviewTeardownRequested)'),
  LateOutcomeRecorded: { ignore: 'an outcome of an attempt approvals had already ended: kept for the audit trail, it changes nothing' },
  ActionDenied: { ignore: 'a refused click: the notifier answers it in Slack; nothing changes in the cluster' },
  TimerScheduled: { ignore: "a timer of approvals' (preview expiry, reminders): what it leads to, if anything, is another event" },
  PreviewKept: { ignore: 'an owner kept the preview longer: it keeps running as it is' },
  PreviewExpiryReminded: { ignore: 'the owners were asked whether to keep the preview: nothing changes in the cluster yet' },
  BuildExpired: { ignore: 'the build expired: the PreviewTeardownRequested that follows it tears the preview down' },
  ApprovalReminded: { ignore: 'QA or the owners were nudged about a build waiting for them: nothing changes in the cluster' },
  ProductionReplaced: {
    ignore: "a newer release runs in production: the replacing build's own ProductionDeploymentRequested changed the cluster already",
  },
};

/** The subject of every domain event type, each of which the deployer acts on or ignores on purpose. */
export const DomainEventSubjects: string[] = (Object.keys(Reactions) as BuildEventType[]).map((type) => Subjects[type]);

/** The reaction to `event`'s type. (The cast only tells TS what the lookup by `event.type` means.) */
export const reactionTo = <T extends BuildEventType>(event: EventOf<T>): Reaction<EventOf<T>> => Reactions[event.type as T];
