import type { HomeView } from '../home/home.blocks';
import type { ModalView } from '../modals/reject-modal.view';

/**
 * Slack's views: opening a modal (`views.open`) — Slack takes it only within 3 s of the click whose
 * trigger id it carries, so an implementation answers or fails quickly and never retries — and
 * publishing a person's Home tab (`views.publish`, which replaces the whole tab, so a retry is
 * harmless). Both throw `SlackCallFailed`.
 */
export interface SlackViews {
  open(triggerId: string, view: ModalView): Promise<{ viewId: string }>;
  publish(user: string, view: HomeView): Promise<void>;
}

/** DI token of the SlackViews. */
export const SLACK_VIEWS = Symbol('SLACK_VIEWS');
