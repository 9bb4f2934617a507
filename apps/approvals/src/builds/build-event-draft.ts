import type { BuildEventData, BuildEventType } from '@app/contracts';

/**
 * A domain event as the decider produces it: type and data. The command path adds the
 * envelope (id, stream, version, time, correlation, causation, actor) when appending.
 */
export type BuildEventDraft = { [T in BuildEventType]: { type: T; data: BuildEventData<T> } }[BuildEventType];

export const draft = <T extends BuildEventType>(type: T, data: BuildEventData<T>): BuildEventDraft => ({ type, data }) as BuildEventDraft;
