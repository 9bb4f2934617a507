import type { SlackOrigin } from '@app/contracts';
import { BuildEventDraft, draft } from './build-event-draft';
import { BuildRefusal } from './build.refusals';

/** Who asked, and where to answer them. */
export interface Requester {
  user: string;
  origin: SlackOrigin;
  buildId?: string;
  project?: string;
}

/** The `ActionDenied` event that records a refused request, so the notifier can answer the person. */
export const denial = (refusal: BuildRefusal, requester: Requester): BuildEventDraft => {
  if (refusal.action === 'register' || refusal.action === 'supersede') {
    throw new Error(`a ${refusal.action} refusal is not a person's request and has no ActionDenied`);
  }
  return draft('ActionDenied', {
    ...(requester.buildId ? { buildId: requester.buildId } : {}),
    ...(requester.project ? { project: requester.project } : {}),
    user: requester.user,
    action: refusal.action,
    reason: refusal.reason,
    ...(refusal.people.length ? { people: [...refusal.people] } : {}),
    origin: requester.origin,
  });
};
