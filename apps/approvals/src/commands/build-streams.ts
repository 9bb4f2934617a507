/** One stream per build. Stored in the event log: changing the naming needs a migration. */
export const buildStreamId = (buildId: string): string => `build-${buildId}`;

export const buildIdOfStream = (streamId: string): string | undefined => (streamId.startsWith('build-') ? streamId.slice('build-'.length) : undefined);

/** A refusal for a build that does not exist goes to a stream of its own, named after the input. */
export const deniedStreamId = (inputId: string): string => `denied-${inputId}`;
