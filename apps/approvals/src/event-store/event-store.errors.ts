/**
 * Another writer appended to the stream since it was read. The command path reloads the
 * stream and decides again (docs/architecture.md §5: two owners clicking at once ship once).
 */
export class StreamVersionConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} is no longer at version ${expectedVersion}: another writer appended first`);
    this.name = 'StreamVersionConflict';
  }
}
