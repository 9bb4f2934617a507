import { describe, expect, it } from '@jest/globals';
import { RejectModalIds } from '@app/contracts';
import { asFormBody, slackFixture } from '../../test/support/fixtures';
import { parseInteraction } from './interaction-parser';
import { readViewSubmission } from './view-submission';

type Json = Record<string, any>;

/** A real view_submission (Bolt's), made into a submission of deploybot's reject modal. */
function rejectSubmission(
  reason: string | null,
  metadata: Json | string = { buildId: 'b-42', channel: 'D0QA00001', messageTs: '1.2' },
): Json {
  const payload = JSON.parse(slackFixture('interactions/view_submission.modal.bolt-python.json')) as Json;
  payload.user.id = 'U0QA00001';
  payload.view.callback_id = RejectModalIds.callbackId;
  payload.view.private_metadata = typeof metadata === 'string' ? metadata : JSON.stringify(metadata);
  payload.view.state.values = {
    [RejectModalIds.reasonBlockId]: { [RejectModalIds.reasonActionId]: { type: 'plain_text_input', value: reason } },
  };
  return payload;
}

describe('reading a submission of the reject modal', () => {
  it('reads the build, who rejected, the reason and where the button was', () => {
    expect(parseInteraction(asFormBody(rejectSubmission('  the login page is blank \n')))).toEqual({
      ok: true,
      type: 'view_submission',
      view: {
        ok: true,
        submission: {
          buildId: 'b-42',
          user: { id: 'U0QA00001', name: 'primary-owner' },
          reason: 'the login page is blank',
          viewId: 'V111',
          viewHash: '1596530361.3wRYuk3R',
          channel: 'D0QA00001',
          messageTs: '1.2',
        },
      },
    });
  });

  it.each([
    ['left empty (Slack sends null)', null],
    ['only spaces', '   '],
  ])('takes a reason %s as no reason', (_, value) => {
    const read = readViewSubmission(rejectSubmission(value));
    expect(read).toMatchObject({ ok: true, submission: { buildId: 'b-42' } });
    if (read.ok === true) expect(read.submission).not.toHaveProperty('reason');
  });

  it('takes a reason of exactly 500 characters', () => {
    expect(readViewSubmission(rejectSubmission('x'.repeat(500)))).toMatchObject({ ok: true, submission: { reason: 'x'.repeat(500) } });
  });

  it('sends a longer reason back to the modal as an error under the input, never cut', () => {
    expect(readViewSubmission(rejectSubmission('x'.repeat(501)))).toEqual({
      ok: 'fix',
      errors: { [RejectModalIds.reasonBlockId]: 'Please keep the reason to 500 characters (it has 501).' },
    });
  });

  it('refuses a submission whose private metadata names no build', () => {
    for (const metadata of ['', 'not json', JSON.stringify({ channel: 'D1' }), JSON.stringify({ buildId: '' })]) {
      expect(readViewSubmission(rejectSubmission('why', metadata))).toEqual({
        ok: false,
        message: 'the modal has no valid private_metadata (expected {"buildId":…})',
      });
    }
  });

  it('refuses a submission by something that is not a Slack user id', () => {
    const payload = rejectSubmission('why');
    payload.user.id = 'bot';
    expect(readViewSubmission(payload)).toEqual({ ok: false, message: 'user.id "bot" is not a Slack user id' });
  });

  it('refuses a submission without view state', () => {
    const payload = rejectSubmission('why');
    delete payload.view.state;
    expect(readViewSubmission(payload)).toMatchObject({ ok: false, message: expect.stringContaining('payload.view.state') });
  });
});
