import { describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { deployed, deployedPinned, DIGEST, PINNED, snapshot } from '../../test/build-fixtures';
import type { ActionsBlock, KnownBlock } from './block-kit';
import { ownerRequestBlocks, ownerRequestMessage } from './owner-request.blocks';

const buttons = (blocks: KnownBlock[]) => blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements);
const allText = (blocks: KnownBlock[]) => JSON.stringify(blocks);
/** The status lines under the fields, one per line. */
const statusOf = (blocks: KnownBlock[]) => blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : [])).join('\n');

describe('owner request DM', () => {
  const open = snapshot(deployed('https://staging.branch.example.org'));

  it('offers Deploy to production (primary) and Close (danger), each carrying only the build id and asking for confirmation', () => {
    const [promote, close] = buttons(ownerRequestBlocks(open));
    expect(promote).toMatchObject({ action_id: SlackActions.Promote, value: 'b-1', style: 'primary' });
    expect(close).toMatchObject({ action_id: SlackActions.Close, value: 'b-1', style: 'danger' });
    expect(promote.confirm?.text.text).toContain('https://example.org');
    expect(close.confirm?.text.text).toContain('https://staging.branch.example.org');
  });

  it('offers Keep between them while the preview may expire (previews.ttl), as the reminder does', () => {
    const expiring = snapshot({ ...deployed(), previewExpiry: { expiresAt: '2026-12-09T10:00:00.000Z', version: 4 } });
    expect(buttons(ownerRequestBlocks(expiring)).map((b) => b.action_id)).toEqual([
      SlackActions.Promote,
      SlackActions.Keep,
      SlackActions.Close,
    ]);
    expect(buttons(ownerRequestBlocks(expiring))[1]).toMatchObject({ value: 'b-1', text: { text: 'Keep' } });
    expect(buttons(ownerRequestBlocks(open)).map((b) => b.action_id)).not.toContain(SlackActions.Keep);
  });

  it("keeps every confirm dialog's text within Slack's 300 characters, however long the image and the URLs", () => {
    const long = snapshot(deployed(`https://${'p'.repeat(300)}.example.org`, { digest: DIGEST, pinnedImage: PINNED }), {
      image: `registry.example.org/${'team/'.repeat(40)}app:${'v'.repeat(100)}`,
      productionUrl: `https://${'q'.repeat(250)}.example.org`,
    });
    const [promote, close] = buttons(ownerRequestBlocks(long));
    for (const button of [promote, close]) expect(button.confirm?.text.text.length).toBeLessThanOrEqual(300);
    expect(promote.confirm?.text.text).toContain('will be deployed to production');
    expect(close.confirm?.text.text).toBe('The preview will be torn down.');
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
    [
      'deployed to production',
      { production: { status: 'deployed', by: 'U0OWNER01', url: 'https://example.org', version: 9 } },
      'Deployed to production by <@U0OWNER01>',
    ],
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
    const failed = snapshot({
      ...deployed(),
      production: { status: 'failed', by: 'U0OWNER01', attempt: 1, reason: 'ImagePullBackOff', version: 7 },
    });
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

  it('shows the short digest the preview runs beside the image, and asks to confirm deploying exactly that', () => {
    const blocks = ownerRequestBlocks(snapshot(deployedPinned()));
    expect(allText([blocks[1]])).toContain('`registry.example.org/shop:1.2.3` · `sha256:1a2b3c4d5e6f`');
    expect(buttons(blocks)[0].confirm?.text.text).toBe(
      '`registry.example.org/shop:1.2.3` at `sha256:1a2b3c4d5e6f` (what the preview runs) will be deployed to <https://example.org>.',
    );
  });

  it('says exactly what was shipped once the build is in production', () => {
    const shipped = snapshot({
      ...deployedPinned(),
      production: { status: 'deployed', by: 'U0OWNER01', url: 'https://example.org', image: PINNED, digest: DIGEST, version: 9 },
    });
    expect(statusOf(ownerRequestBlocks(shipped))).toBe(
      `:rocket: Deployed to production by <@U0OWNER01>: <https://example.org>\n:package: Shipped \`${PINNED}\``,
    );

    const byTag = snapshot({
      ...deployed(),
      production: {
        status: 'deployed',
        by: 'U0OWNER01',
        url: 'https://example.org',
        image: 'registry.example.org/shop:1.2.3',
        digest: DIGEST,
        version: 9,
      },
    });
    expect(statusOf(ownerRequestBlocks(byTag))).toContain(`:package: Shipped \`registry.example.org/shop:1.2.3\` · \`${DIGEST}\``);
  });

  it.each([
    [
      'deadline',
      'no answer from the deployer within 6 min',
      ':x: Production deployment timed out: no answer from the deployer within 6 min. Click *Deploy to production* to try again.',
    ],
    [
      'dead-letter',
      'the deployer could not process the request',
      ':x: Production deployment was given up by the deployer: the deployer could not process the request. Click *Deploy to production* to try again.',
    ],
  ] as const)(
    'says what happened to a production deployment that failed by %s, and that the owner can try again',
    (cause, reason, says) => {
      const build = snapshot({ ...deployed(), production: { status: 'failed', by: 'U0OWNER01', attempt: 1, reason, cause, version: 7 } });
      expect(statusOf(ownerRequestBlocks(build))).toBe(says);
      expect(buttons(ownerRequestBlocks(build)).map((b) => b.action_id)).toEqual([SlackActions.Promote, SlackActions.Close]);
      expect(ownerRequestMessage(build).text).toBe(`Testing One staging: ${says.replace(':x: ', '').replace(/\*/g, '')}`);
    },
  );

  describe('after production, the preview', () => {
    const shipped = { ...deployed(), production: { status: 'deployed', by: 'U0OWNER01', url: 'https://example.org', version: 9 } } as const;

    it('is being removed: no buttons', () => {
      const build = snapshot({ ...shipped, teardown: { status: 'requested', why: 'in-production', version: 10 } });
      expect(statusOf(ownerRequestBlocks(build))).toContain(
        ':hourglass_flowing_sand: Removing the preview now that the build is in production…',
      );
      expect(buttons(ownerRequestBlocks(build))).toEqual([]);
    });

    it('was removed: the DM says so, in the blocks and the text', () => {
      const build = snapshot({ ...shipped, teardown: { status: 'removed', why: 'in-production', version: 11 } });
      expect(statusOf(ownerRequestBlocks(build))).toBe(
        ':rocket: Deployed to production by <@U0OWNER01>: <https://example.org>\n:wastebasket: Preview removed now that the build is in production',
      );
      expect(ownerRequestMessage(build).text).toBe(
        'Testing One staging: Deployed to production by <@U0OWNER01>: <https://example.org> (preview removed)',
      );
      expect(buttons(ownerRequestBlocks(build))).toEqual([]);
    });

    it('could not be removed: Close is back, alone, to ask again', () => {
      const build = snapshot({
        ...shipped,
        teardown: {
          status: 'failed',
          why: 'in-production',
          reason: 'no answer from the deployer within 6 min',
          cause: 'deadline',
          version: 11,
        },
      });
      expect(statusOf(ownerRequestBlocks(build))).toContain(
        ':warning: Removing the preview timed out: no answer from the deployer within 6 min. Click *Close* to try again.',
      );
      const [close, ...others] = buttons(ownerRequestBlocks(build));
      expect(others).toEqual([]);
      expect(close).toMatchObject({ action_id: SlackActions.Close, value: 'b-1', confirm: { title: { text: 'Remove the preview?' } } });
    });
  });

  it('says the preview of a closed build was removed, without claiming production', () => {
    const build = snapshot({
      ...deployed(),
      ending: { kind: 'closed', by: 'U0OWNER01' },
      teardown: { status: 'removed', why: 'closed', version: 6 },
    });
    expect(statusOf(ownerRequestBlocks(build))).toBe(':no_entry: Closed by <@U0OWNER01>\n:wastebasket: Preview removed');
    expect(ownerRequestMessage(build).text).toBe('Testing One staging: Closed by <@U0OWNER01> (preview removed)');
  });
});
