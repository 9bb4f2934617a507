/**
 * The envelope fields kept in the `metadata` column of every stored event.
 * Persisted forever: renaming a field needs a migration.
 */
export interface EventMetadata {
  id: string;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  actor?: unknown;
}

/** An event to append: its id, type, data and envelope metadata. Versions are assigned by the store. */
export interface NewEvent {
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

/** An event as read back from the log, in the shape of the contracts' `EventEnvelope`. */
export interface RecordedEvent {
  id: string;
  type: string;
  streamId: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  actor?: unknown;
  data: unknown;
  /** Global position in the log (bigserial; gaps possible, commit order not guaranteed). */
  position: string;
}

/** A row of `approvals.events` as selected by the store and the relay. */
export interface EventRow {
  position: string;
  stream_id: string;
  stream_version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

/** A row of one stream, read by its id (the store does not select the id it already knows). */
export type StreamRow = Omit<EventRow, 'stream_id'>;

export const recordedEvent = (row: EventRow): RecordedEvent => recordedEventOf(row, row.stream_id);

export const recordedEventOf = (row: StreamRow, streamId: string): RecordedEvent => {
  const { id, occurredAt, correlationId, causationId, actor } = row.metadata;
  return {
    id,
    type: row.type,
    streamId,
    version: row.stream_version,
    occurredAt,
    correlationId,
    causationId,
    ...(actor === undefined ? {} : { actor }),
    data: row.data,
    position: row.position,
  };
};
