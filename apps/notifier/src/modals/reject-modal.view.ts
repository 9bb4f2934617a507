import { REJECT_REASON_MAX_CHARS, RejectModalIds, type RejectModalMetadata } from '@app/contracts';
import { plain, section, type PlainText, type SectionBlock } from '../messages/block-kit';

/** The modal's one input: a multi-line plain text field. */
export interface InputBlock {
  type: 'input';
  block_id: string;
  optional: boolean;
  label: PlainText;
  hint?: PlainText;
  element: {
    type: 'plain_text_input';
    action_id: string;
    multiline: boolean;
    max_length: number;
    placeholder?: PlainText;
  };
}

/** A modal view as `views.open` takes it (Slack's `ModalView`, the part deploybot uses). */
export interface ModalView {
  type: 'modal';
  callback_id: string;
  private_metadata: string;
  title: PlainText;
  submit: PlainText;
  close: PlainText;
  blocks: Array<SectionBlock | InputBlock>;
}

/**
 * The modal a Reject click opens (pure): why, optional, at most REJECT_REASON_MAX_CHARS characters
 * (Slack enforces `max_length` in the field; the gateway checks it again). The build and where the
 * button was travel in `private_metadata`, which Slack hands back with the submission.
 */
export function rejectModalView(metadata: RejectModalMetadata): ModalView {
  return {
    type: 'modal',
    callback_id: RejectModalIds.callbackId,
    private_metadata: JSON.stringify(metadata),
    // Slack allows 24 characters in a modal's title and its buttons.
    title: plain('Reject this build'),
    submit: plain('Reject'),
    close: plain('Cancel'),
    blocks: [
      section('The owners will see your rejection and the reason in their DM thread; the build cannot be shipped.'),
      {
        type: 'input',
        block_id: RejectModalIds.reasonBlockId,
        optional: true,
        label: plain('Why are you rejecting it?'),
        hint: plain(`Optional, at most ${REJECT_REASON_MAX_CHARS} characters.`),
        element: {
          type: 'plain_text_input',
          action_id: RejectModalIds.reasonActionId,
          multiline: true,
          max_length: REJECT_REASON_MAX_CHARS,
          placeholder: plain('e.g. the login page is blank on Safari'),
        },
      },
    ],
  };
}
