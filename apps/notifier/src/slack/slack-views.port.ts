import type { ModalView } from '../modals/reject-modal.view';

/**
 * Opening a modal (`views.open`). Slack takes it only within 3 s of the click whose trigger id it
 * carries, so an implementation answers or fails quickly and never retries. Throws `SlackCallFailed`.
 */
export interface SlackViews {
  open(triggerId: string, view: ModalView): Promise<{ viewId: string }>;
}

/** DI token of the SlackViews. */
export const SLACK_VIEWS = Symbol('SLACK_VIEWS');
