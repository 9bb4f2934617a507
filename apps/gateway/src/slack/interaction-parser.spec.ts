import { describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { asFormBody, slackFixture } from '../../test/support/fixtures';
import { parseInteraction } from './interaction-parser';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const fixture = (name: string): Json => JSON.parse(slackFixture(`interactions/${name}`)) as Json;

/** A real payload whose button is one of deploybot's: same shape, our action id and a build id as value. */
function asDeploybotClick(payload: Json, actionId: string, buildId: string): Json {
  const copy = structuredClone(payload);
  if (copy.type === 'block_actions') copy.actions[0] = { ...copy.actions[0], action_id: actionId, value: buildId };
  else copy.actions[0] = { ...copy.actions[0], name: actionId, value: buildId };
  return copy;
}

const BUILD = '4f9a0c2e1b7d4c3a9e8f7a6b5c4d3e2f';

describe('reading Slack interaction payloads', () => {
  it('reads a real block_actions click from a DM: user, build, click time and where it came from', () => {
    const payload = asDeploybotClick(fixture('block_actions.button.real-capture.heybot.json'), SlackActions.Approve, BUILD);
    expect(parseInteraction(asFormBody(payload))).toEqual({
      ok: true,
      type: 'block_actions',
      clicks: [
        {
          actionId: SlackActions.Approve,
          buildId: BUILD,
          user: { id: 'U01AZ88AQQ4', name: 'phoebe.ngsyd' },
          clickedAt: '1600857126.868122',
          origin: {
            channel: 'D01ACC2E8S3',
            messageTs: '1600857119.015400',
            responseUrl: 'https://hooks.slack.com/actions/T01B5M3VC1X/1394543744577/NIyyQSrf1FF0R7KPv7VbbjrC',
            triggerId: '1388105719492.1379717998065.9bc163894734c1f415a2c504e81dec91',
          },
        },
      ],
    });
  });

  it("reads Slack docs' block_actions example (button in an attachment), falling back to username", () => {
    const payload = asDeploybotClick(fixture('block_actions.button.docs-example.json'), SlackActions.Promote, BUILD);
    const parsed = parseInteraction(asFormBody(payload));
    expect(parsed).toMatchObject({
      ok: true,
      clicks: [
        {
          actionId: SlackActions.Promote,
          user: { id: 'UA8RXUSPL', name: 'jtorrance' },
          origin: { channel: 'CBR2V3XEX', messageTs: '1548261231.000200' },
        },
      ],
    });
  });

  it('reads a body encoded as bolt-python encodes it (%20 for spaces)', () => {
    const raw = slackFixture('interactions/block_actions.button.bolt-python.form-body.txt').replace(
      '%22a%22',
      `%22${SlackActions.Close}%22`,
    );
    expect(parseInteraction(raw)).toMatchObject({
      ok: true,
      clicks: [
        {
          actionId: SlackActions.Close,
          buildId: 'click_me_123',
          user: { id: 'W111', name: 'primary-owner' },
          clickedAt: '1596530385.194939',
        },
      ],
    });
  });

  it('reads "+" as a space, as form bodies from Slack encode it', () => {
    const payload = asDeploybotClick(fixture('block_actions.button.real-capture.heybot.json'), SlackActions.Reject, BUILD);
    payload.user.name = 'phoebe ng';
    const raw = asFormBody(payload);
    expect(raw).toContain('phoebe+ng');
    expect(parseInteraction(raw)).toMatchObject({ ok: true, clicks: [{ user: { name: 'phoebe ng' } }] });
  });

  it('reads a real legacy interactive_message click: the action id is the action name', () => {
    const payload = asDeploybotClick(fixture('interactive_message.button.real-capture.operationcode.json'), SlackActions.Reject, BUILD);
    expect(parseInteraction(asFormBody(payload))).toEqual({
      ok: true,
      type: 'interactive_message',
      clicks: [
        {
          actionId: SlackActions.Reject,
          buildId: BUILD,
          user: { id: 'U8N6XBL7Q', name: 'ic4rusx' },
          clickedAt: '1517696741.237722',
          origin: {
            channel: 'D8MB4RDSN',
            messageTs: '1517696737.000052',
            responseUrl: 'https://hooks.slack.com/actions/T8M8SQEN7/308964201249/VkkWTvUKvSAtqs4MQMNqLyX8',
            triggerId: '309495956436.293298830755.ba98ac2be80053f6a78fd8b17242cb7c',
          },
        },
      ],
    });
  });

  it('takes the action id from callback_id when a legacy action name is not one of ours', () => {
    const payload = fixture('interactive_message.button.real-capture.operationcode.json');
    payload.callback_id = SlackActions.Close;
    payload.actions[0].value = BUILD;
    expect(parseInteraction(asFormBody(payload))).toMatchObject({ ok: true, clicks: [{ actionId: SlackActions.Close, buildId: BUILD }] });
  });

  it("refuses other apps' buttons in the real payloads as unknown action ids", () => {
    for (const name of [
      'block_actions.button.real-capture.heybot.json',
      'block_actions.button.docs-example.json',
      'interactive_message.button.real-capture.operationcode.json',
    ]) {
      const parsed = parseInteraction(asFormBody(fixture(name)));
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(/^unknown action id ".+" \(expected one of deploybot\.qa\.approve, /);
    }
  });

  it('refuses a legacy select menu (no value to carry a build id)', () => {
    const payload = fixture('interactive_message.select.docs-example.json');
    payload.actions[0].name = SlackActions.Approve;
    expect(parseInteraction(asFormBody(payload))).toEqual({
      ok: false,
      message: `the value of ${SlackActions.Approve} must be a build id (1 to 100 characters)`,
    });
  });

  it("refuses interaction types deploybot does not use (shortcuts) and other apps' modals", () => {
    expect(parseInteraction(slackFixture('interactions/shortcut.bolt-js.form-body.txt'))).toEqual({
      ok: false,
      message: 'unsupported interaction type "shortcut" (expected block_actions, interactive_message or view_submission)',
    });
    expect(parseInteraction(asFormBody(fixture('view_submission.modal.bolt-python.json')))).toEqual({
      ok: false,
      message: 'unknown view "view-id" (expected deploybot.qa.reject-reason)',
    });
  });

  it('refuses a body without payload, a payload that is not JSON, and JSON without a type', () => {
    expect(parseInteraction('')).toEqual({ ok: false, message: 'expected a form body payload=<JSON>' });
    expect(parseInteraction('payload=%7Bnot-json')).toEqual({ ok: false, message: 'the payload is not JSON' });
    expect(parseInteraction('payload=42')).toMatchObject({ ok: false, message: expect.stringContaining('type missing') });
    expect(parseInteraction('payload=null')).toMatchObject({ ok: false, message: expect.stringContaining('type missing') });
  });

  it('names the part of the payload that has the wrong shape', () => {
    const payload = asDeploybotClick(fixture('block_actions.button.real-capture.heybot.json'), SlackActions.Approve, BUILD);
    delete payload.user;
    expect(parseInteraction(asFormBody(payload))).toMatchObject({ ok: false, message: expect.stringContaining('payload.user') });
    payload.user = { id: 'not-a-user' };
    expect(parseInteraction(asFormBody(payload))).toEqual({ ok: false, message: 'user.id "not-a-user" is not a Slack user id' });
  });

  it('refuses an empty or oversized build id', () => {
    for (const value of ['', 'x'.repeat(101)]) {
      const payload = asDeploybotClick(fixture('block_actions.button.real-capture.heybot.json'), SlackActions.Approve, value);
      expect(parseInteraction(asFormBody(payload)).ok).toBe(false);
    }
  });
});
