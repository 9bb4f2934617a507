import { describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { deployed, deployedPinned, snapshot } from '../../test/build-fixtures';
import type { ActionsBlock, KnownBlock } from './block-kit';
import { qaRequestBlocks, qaRequestMessage } from './qa-request.blocks';

const buttons = (blocks: KnownBlock[]) => blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements);

describe('QA request DM', () => {
  const open = snapshot(deployed());

  it('offers Approve and Reject with the build id as the only value', () => {
    expect(buttons(qaRequestBlocks({ build: open, qa: 'U0QA00001' }))).toEqual([
      expect.objectContaining({ action_id: SlackActions.Approve, value: 'b-1', style: 'primary' }),
      expect.objectContaining({ action_id: SlackActions.Reject, value: 'b-1', style: 'danger' }),
    ]);
  });

  it('links the preview and mentions the owners', () => {
    const text = JSON.stringify(qaRequestBlocks({ build: open, qa: 'U0QA00001' }));
    expect(text).toContain('<https://staging.branch.example.org>');
    expect(text).toContain('<@U0OWNER01>');
    expect(qaRequestMessage({ build: open, qa: 'U0QA00001' }).text).toBe(
      'Please review Testing One staging: <https://staging.branch.example.org>',
    );
  });

  it("shows this QA member's verdict with no buttons, while another QA member still has theirs", () => {
    const build = snapshot({ ...deployed(), verdicts: { U0QA00001: { verdict: 'rejected', version: 4 } } });
    expect(buttons(qaRequestBlocks({ build, qa: 'U0QA00001' }))).toEqual([]);
    expect(qaRequestMessage({ build, qa: 'U0QA00001' }).text).toContain('You rejected this build');
    expect(buttons(qaRequestBlocks({ build, qa: 'U0QA00002' }))).toHaveLength(2);
  });

  it('has no buttons once the build was closed', () => {
    const build = snapshot({ ...deployed(), ending: { kind: 'closed', by: 'U0OWNER01' } });
    expect(buttons(qaRequestBlocks({ build, qa: 'U0QA00002' }))).toEqual([]);
    expect(qaRequestMessage({ build, qa: 'U0QA00002' }).text).toContain('Closed by <@U0OWNER01>');
  });

  it('shows the short digest the preview runs beside the image, once the deployer reported it', () => {
    const image = (build: ReturnType<typeof snapshot>) => JSON.stringify(qaRequestBlocks({ build, qa: 'U0QA00001' })[1]);
    expect(image(snapshot(deployedPinned()))).toContain('`registry.example.org/shop:1.2.3` · `sha256:1a2b3c4d5e6f`');
    expect(image(open)).not.toContain('sha256:');
  });

  it('tells QA that a build whose preview now runs other bits needs QA again as a new build', () => {
    const build = snapshot({
      ...deployedPinned(),
      ending: {
        kind: 'superseded',
        by: 'b-2',
        newImage: `registry.example.org/shop@sha256:9f8e7d6c5b4a${'0'.repeat(52)}`,
        reason: 'digest-changed',
      },
    });
    expect(buttons(qaRequestBlocks({ build, qa: 'U0QA00001' }))).toEqual([]);
    expect(qaRequestMessage({ build, qa: 'U0QA00001' }).text).toBe(
      'Testing One staging: Superseded: the preview now runs sha256:9f8e7d6c5b4a, not the sha256:1a2b3c4d5e6f QA reviewed. A new build was registered for it and needs QA again',
    );
  });
});
