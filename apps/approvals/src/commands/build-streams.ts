export { buildIdOfStream, buildStreamId } from '@app/contracts';

/** A refusal for a build that does not exist goes to a stream of its own, named after the input. Stored in the event log. */
export const deniedStreamId = (inputId: string): string => `denied-${inputId}`;
