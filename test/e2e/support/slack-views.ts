import { renderMessage, type SlackFake, type SlackMessage } from '../../fakes/slack';

/** A button as Slack shows it: what a click on it would send. */
export interface ButtonView {
  actionId: string;
  value: string;
}

/** Every button of a message's `actions` blocks. */
export function buttonsOf(message: SlackMessage): ButtonView[] {
  return (message.blocks ?? []).flatMap((block: any) =>
    block?.type === 'actions'
      ? (block.elements ?? []).filter((e: any) => e?.type === 'button').map((e: any) => ({ actionId: e.action_id, value: e.value }))
      : [],
  );
}

/** What a person reads: the blocks as text lines (or the text when there are none). */
export const readable = (message: SlackMessage): string => `${message.text}\n${renderMessage(message)}`;

/** A top-level (not threaded) message of a DM or channel whose readable text contains `needle`. */
export function topLevel(slack: SlackFake, channelOrUser: string, needle?: string): SlackMessage[] {
  return slack.messages(channelOrUser).filter((m) => !m.thread_ts && (needle === undefined || readable(m).includes(needle)));
}

/**
 * The DM that carries buttons (or once carried them) for one build: deploybot's buttons carry
 * the build id as their value, and the fake keeps a message's earlier versions.
 */
export function dmOfBuild(slack: SlackFake, user: string, buildId: string): SlackMessage | undefined {
  return slack
    .messages(user)
    .find(
      (m) =>
        !m.thread_ts && [{ blocks: m.blocks }, ...m.history].some((v) => JSON.stringify(v.blocks ?? []).includes(`"value":"${buildId}"`)),
    );
}

/** The build id on the buttons of a person's newest DM that still has buttons. */
export function buildIdFromNewestDm(slack: SlackFake, user: string): string | undefined {
  const withButtons = topLevel(slack, user).filter((m) => buttonsOf(m).length > 0);
  return withButtons.at(-1) && buttonsOf(withButtons.at(-1)!)[0]?.value;
}
