import { describe, expect, it } from '@jest/globals';
import { buildEvents, deployed, event, snapshot } from '../../test/build-fixtures';
import { evolve } from '../builds/build-progress.evolve';
import { initialProgress } from '../builds/build-snapshot';
import { qaRequestMessage } from '../messages/qa-request.blocks';
import { planNotifications } from './notification.plan';

const e = buildEvents();
const rejected = (reason?: string, version = 4) =>
  event('QaRejected', { buildId: 'b-1', by: 'U0QA00001', ...(reason === undefined ? {} : { reason }) }, version);

/** The build as the notifier holds it after the preview came up and then the rejection. */
const snapshotAfter = (rejection: ReturnType<typeof rejected>) => {
  const progress = [e.previewDeployed(), rejection].reduce(evolve, initialProgress());
  return snapshot({ ...deployed(), ...progress });
};

describe('a rejection with a reason in Slack', () => {
  it('keeps the reason with the verdict, and only a newer event replaces it', () => {
    const progress = evolve(initialProgress(), rejected('checkout fails', 4));
    expect(progress.verdicts.U0QA00001).toEqual({ verdict: 'rejected', reason: 'checkout fails', version: 4 });
    expect(evolve(progress, rejected(undefined, 3)).verdicts.U0QA00001).toEqual(progress.verdicts.U0QA00001);
  });

  it('shows the reason in the QA DM ("You rejected this build: …") and under every owner DM', () => {
    const build = snapshotAfter(rejected('the login page is blank on Safari'));
    const effects = planNotifications(rejected('the login page is blank on Safari'), build);
    const qaDm = effects.find((f) => f.kind === 'edit' && f.message === 'qa:U0QA00001');
    expect(JSON.stringify(qaDm)).toContain(':x: You rejected this build: “the login page is blank on Safari”');
    expect(effects.find((f) => f.kind === 'reply')).toMatchObject({
      key: 'verdict:owner:U0OWNER01',
      under: 'owner:U0OWNER01',
      content: { text: ':x: <@U0QA00001> rejected this build: “the login page is blank on Safari”' },
    });
  });

  it('says what it said before when no reason was given', () => {
    const build = snapshotAfter(rejected());
    const reply = planNotifications(rejected(), build).find((f) => f.kind === 'reply');
    expect(reply).toMatchObject({ content: { text: ':x: <@U0QA00001> rejected this build' } });
    expect(qaRequestMessage({ build, qa: 'U0QA00001' }).text).toContain('You rejected this build');
    expect(qaRequestMessage({ build, qa: 'U0QA00001' }).text).not.toContain('rejected this build:');
  });

  it('shows the reason as the person’s words: no mention, link or broadcast comes out of it, on one line', () => {
    const build = snapshotAfter(rejected('<!here> see <https://evil.example|this> & ask <@U0OWNER01>\nsecond line'));
    const reply = planNotifications(rejected('x'), build).find((f) => f.kind === 'reply');
    expect(reply).toMatchObject({
      content: {
        text: ':x: <@U0QA00001> rejected this build: “&lt;!here&gt; see &lt;https://evil.example|this&gt; &amp; ask &lt;@U0OWNER01&gt; second line”',
      },
    });
  });
});
