import type { Actor, BuildEvent } from '@app/contracts';
import type { NewEvent } from '../event-store/stored-event';
import type { BuildEventDraft } from '../builds/build-event-draft';

/** What the edge adds to the decider's drafts to make stored, publishable events. */
export interface Stamp {
  streamId: string;
  /** The version the decision was made against; events get the next ones. */
  afterVersion: number;
  correlationId: string;
  causationId: string;
  actor?: Actor;
  occurredAt: string;
  newId: () => string;
}

export const stamp = (drafts: readonly BuildEventDraft[], s: Stamp): BuildEvent[] =>
  drafts.map(
    (d, i) =>
      ({
        id: s.newId(),
        type: d.type,
        streamId: s.streamId,
        version: s.afterVersion + i + 1,
        occurredAt: s.occurredAt,
        correlationId: s.correlationId,
        causationId: s.causationId,
        ...(s.actor ? { actor: s.actor } : {}),
        data: d.data,
      }) as BuildEvent,
  );

export const toNewEvent = (event: BuildEvent): NewEvent => ({
  type: event.type,
  data: event.data,
  metadata: {
    id: event.id,
    occurredAt: event.occurredAt,
    correlationId: event.correlationId,
    causationId: event.causationId,
    ...(event.actor ? { actor: event.actor } : {}),
  },
});
