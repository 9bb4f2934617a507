/*
 * Event-log stream names. Stored in approvals' event log and carried in every envelope's
 * `streamId`: changing the naming needs a migration of the log.
 */

/** One stream per build. */
export const buildStreamId = (buildId: string): string => `build-${buildId}`;

/** The build a stream belongs to, or undefined for another kind of stream. */
export const buildIdOfStream = (streamId: string): string | undefined =>
  streamId.startsWith('build-') ? streamId.slice('build-'.length) : undefined;
