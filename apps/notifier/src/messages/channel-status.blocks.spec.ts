import { describe, expect, it } from '@jest/globals';
import { deployed, deployedPinned, snapshot } from '../../test/build-fixtures';
import { channelStatusBlocks, channelStatusMessage } from './channel-status.blocks';

describe('channel status message', () => {
  it('says which image is being deployed to which target', () => {
    expect(channelStatusMessage(snapshot()).text).toBe('Testing One staging: deploying registry.example.org/shop:1.2.3 to staging…');
  });

  it('links the preview once deployed', () => {
    expect(channelStatusMessage(snapshot(deployed())).text).toBe('Testing One staging: deployed: <https://staging.branch.example.org>');
  });

  it('gives the reason of a failed preview, escaped so it cannot mention anyone', () => {
    const build = snapshot({ preview: { status: 'failed', reason: 'ImagePullBackOff <!channel>', version: 3 } });
    expect(channelStatusMessage(build).text).toBe('Testing One staging: failed: ImagePullBackOff &lt;!channel&gt;');
  });

  it('names who shipped the build to production, and never carries buttons', () => {
    const build = snapshot({ ...deployed(), production: { status: 'deployed', by: 'U0OWNER01', url: 'https://example.org', version: 8 } });
    expect(channelStatusMessage(build).text).toContain('Deployed to production by <@U0OWNER01>: <https://example.org>');
    expect(channelStatusBlocks(build).some((b) => b.type === 'actions')).toBe(false);
  });

  it('shows QA progress against the approval rule', () => {
    const build = snapshot({ ...deployed(), verdicts: { U0QA00002: { verdict: 'approved', version: 4 } }, approved: true });
    expect(JSON.stringify(channelStatusBlocks(build))).toContain('QA: approved by <@U0QA00002>');
  });

  it.each([
    [
      'deadline',
      'no answer from the deployer within 6 min',
      'Testing One staging: timed out: no answer from the deployer within 6 min. CI can send the build again to retry.',
    ],
    [
      'dead-letter',
      'the request could not be processed',
      'Testing One staging: given up by the deployer: the request could not be processed. CI can send the build again to retry.',
    ],
  ] as const)('says a preview that failed by %s ended, and that CI can send the build again', (cause, reason, text) => {
    const build = snapshot({ preview: { status: 'failed', reason, cause, version: 3 } });
    expect(channelStatusMessage(build).text).toBe(text);
  });

  it('says a production deployment timed out and that an owner can try again', () => {
    const build = snapshot({
      ...deployed(),
      production: {
        status: 'failed',
        by: 'U0OWNER01',
        attempt: 2,
        reason: 'no answer from the deployer within 6 min',
        cause: 'deadline',
        version: 8,
      },
    });
    expect(JSON.stringify(channelStatusBlocks(build))).toContain(
      ':x: Production deployment timed out: no answer from the deployer within 6 min. An owner can try again.',
    );
  });

  it('shows the short digest the preview runs beside the image', () => {
    expect(JSON.stringify(channelStatusBlocks(snapshot(deployedPinned())))).toContain(
      'Image `registry.example.org/shop:1.2.3` · `sha256:1a2b3c4d5e6f`',
    );
  });
});
