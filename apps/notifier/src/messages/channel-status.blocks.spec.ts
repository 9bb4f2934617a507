import { describe, expect, it } from '@jest/globals';
import { deployed, snapshot } from '../../test/build-fixtures';
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
});
