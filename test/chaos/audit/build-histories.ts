import type { LoggedEvent } from './evidence';

/** One build as its stream in the event log tells it. */
export interface BuildHistory {
  buildId: string;
  project: string;
  type: string;
  target: string;
  image: string;
  /** The channel and people BuildRegistered recorded: who Slack should tell. */
  channel: string;
  owners: string[];
  qa: string[];
  events: LoggedEvent[];
  /** The status the log says the build is in (the read model's vocabulary). */
  status: string;
  previewDeployed?: LoggedEvent;
  productionDeployed: LoggedEvent[];
}

/** What each event makes of the build's status; events not listed leave it as it is. */
const STATUS_AFTER: Record<string, string> = {
  BuildRegistered: 'registered',
  PreviewDeploymentRequested: 'preview-deploying',
  PreviewDeployed: 'awaiting-qa',
  PreviewDeploymentFailed: 'preview-failed',
  QaRejected: 'rejected',
  BuildApproved: 'approved',
  ProductionDeploymentRequested: 'production-deploying',
  ProductionDeployed: 'in-production',
  ProductionDeploymentFailed: 'production-failed',
  BuildClosed: 'closed',
  BuildSuperseded: 'superseded',
};

/** Groups the log by build stream (`build-<id>`), in version order. */
export function buildHistories(events: readonly LoggedEvent[]): Map<string, BuildHistory> {
  const histories = new Map<string, BuildHistory>();
  const sorted = [...events]
    .filter((e) => e.streamId.startsWith('build-'))
    .sort((a, b) => (a.streamId === b.streamId ? a.version - b.version : a.position - b.position));
  for (const event of sorted) {
    const buildId = event.streamId.slice('build-'.length);
    let history = histories.get(buildId);
    if (!history) {
      const d = event.type === 'BuildRegistered' ? event.data : {};
      history = {
        buildId,
        project: d.project ?? '?',
        type: d.type ?? '?',
        target: d.target ?? '?',
        image: d.image ?? '?',
        channel: d.channel ?? '?',
        owners: d.owners ?? [],
        qa: d.qa ?? [],
        events: [],
        status: 'unknown',
        productionDeployed: [],
      };
      histories.set(buildId, history);
    }
    history.events.push(event);
    history.status =
      event.type === 'ProductionReplaced'
        ? event.data.rolledBack
          ? 'rolled-back'
          : 'replaced'
        : (STATUS_AFTER[event.type] ?? history.status);
    if (event.type === 'PreviewDeployed') history.previewDeployed = event;
    if (event.type === 'ProductionDeployed') history.productionDeployed.push(event);
  }
  return histories;
}

/** Event id → build id, for attributing Slack effects (which are keyed by event id). */
export function buildOfEvent(events: readonly LoggedEvent[]): Map<string, string> {
  return new Map(events.filter((e) => e.streamId.startsWith('build-')).map((e) => [e.eventId, e.streamId.slice('build-'.length)]));
}

export const eventsOf = (history: BuildHistory, type: string): LoggedEvent[] => history.events.filter((e) => e.type === type);
