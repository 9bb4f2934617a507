import { describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { deployed, snapshot } from '../../test/build-fixtures';
import type { ActionsBlock, KnownBlock } from './block-kit';
import { ownerRequestBlocks, ownerRequestMessage } from './owner-request.blocks';

const buttons = (blocks: KnownBlock[]) => blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements);
const allText = (blocks: KnownBlock[]) => JSON.stringify(blocks);

describe('owner request DM', () => {
  const open = snapshot(deployed('https://staging.branch.example.org'));

  it('offers Deploy to production (primary) and Close (danger), each carrying only the build id and asking for confirmation', () => {
    const [promote, close] = buttons(ownerRequestBlocks(open));
    expect(promote).toMatchObject({ action_id: SlackActions.Promote, value: 'b-1', style: 'primary' });
    expect(close).toMatchObject({ action_id: SlackActions.Close, value: 'b-1', style: 'danger' });
    expect(promote.confirm?.text.text).toContain('https://example.org');
    expect(close.confirm?.text.text).toContain('https://staging.branch.example.org');
  });

  it('shows the preview link, the image, the target and mentions every QA member', () => {
    const text = allText(ownerRequestBlocks(open));
    expect(text).toContain('<https://staging.branch.example.org>');
    expect(text).toContain('registry.example.org/shop:1.2.3');
    expect(text).toContain('staging');
    expect(text).toContain('<@U0QA00001>, <@U0QA00002>');
  });

  it('has a plain text fallback with the link', () => {
    expect(ownerRequestMessage(open).text).toBe('Testing One staging is ready for review: <https://staging.branch.example.org>');
  });

  it.each([
    ['deployed to production', { production: { status: 'deployed', by: 'U0OWNER01', url: 'https://example.org', version: 9 } }, 'Deployed to production by <@U0OWNER01>'],
    ['closed', { ending: { kind: 'closed', by: 'U0OWNER01' } }, 'Closed by <@U0OWNER01>'],
    ['superseded', { ending: { kind: 'superseded', by: 'b-2', newImage: 'shop:2' } }, 'Superseded by a newer build of `staging`'],
  ] as const)('has no buttons left once the build is %s, and says so', (_name, progress, says) => {
    const build = snapshot({ ...deployed(), ...progress });
    expect(buttons(ownerRequestBlocks(build))).toEqual([]);
    expect(allText(ownerRequestBlocks(build))).toContain(says);
    expect(ownerRequestMessage(build).text).toContain(says.replace(/`/g, ''));
  });

  it('hides the buttons while a production deployment runs and brings them back when it failed', () => {
    const running = snapshot({ ...deployed(), production: { status: 'deploying', by: 'U0OWNER01', attempt: 1, version: 6 } });
    const failed = snapshot({ ...deployed(), production: { status: 'failed', by: 'U0OWNER01', attempt: 1, reason: 'ImagePullBackOff', version: 7 } });
    expect(buttons(ownerRequestBlocks(running))).toEqual([]);
    expect(buttons(ownerRequestBlocks(failed)).map((b) => b.action_id)).toEqual([SlackActions.Promote, SlackActions.Close]);
    expect(allText(ownerRequestBlocks(failed))).toContain('Production deployment failed: ImagePullBackOff');
  });

  it('counts approvals against the project rule and says when the build is ready', () => {
    const approved = snapshot({ ...deployed(), verdicts: { U0QA00001: { verdict: 'approved', version: 4 } }, approved: true });
    const text = allText(ownerRequestBlocks(approved));
    expect(text).toContain('1 of 1 approval — ready');
    expect(text).toContain('Ready for production');
  });
});
