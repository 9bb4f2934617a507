import type { BuildEvent } from '@app/contracts';
import type { BuildEventDraft } from './build-event-draft';

/**
 * Stored events as the decider reads them. Events written before attempt ids existed named the
 * attempt by their own envelope id (and the deployer quoted that id back), so that id becomes
 * their `attemptId` here; everything else passes through unchanged.
 */
export const upcast = (event: BuildEvent): BuildEventDraft => {
  switch (event.type) {
    case 'PreviewDeploymentRequested':
    case 'ProductionDeploymentRequested':
    case 'BuildClosed':
      return { type: event.type, data: { ...event.data, attemptId: event.data.attemptId ?? event.id } } as BuildEventDraft;
    default:
      return { type: event.type, data: event.data } as BuildEventDraft;
  }
};
