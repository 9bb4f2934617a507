import { describe, expect, it } from '@jest/globals';
import { escapeWithMentions } from './mrkdwn';

describe('plain text with people in it', () => {
  it('mentions the people listed, written @<user id>', () => {
    expect(escapeWithMentions('this build was closed by @U0OWNER01', ['U0OWNER01'])).toBe('this build was closed by <@U0OWNER01>');
  });

  it('leaves everyone else as text, and escapes the rest so it cannot mention or link', () => {
    expect(escapeWithMentions('rejected by @U0QA00001 and @U0QA00002 <!channel> & co', ['U0QA00001'])).toBe(
      'rejected by <@U0QA00001> and @U0QA00002 &lt;!channel&gt; &amp; co',
    );
  });

  it('turns only a whole id into a mention, not an id that merely starts with it', () => {
    expect(escapeWithMentions('@U0OWNER012 and mail@U0OWNER01 and @U0OWNER01.', ['U0OWNER01'])).toBe(
      '@U0OWNER012 and mail@U0OWNER01 and <@U0OWNER01>.',
    );
  });

  it('mentions nobody when no one is listed (older refusals)', () => {
    expect(escapeWithMentions('this build was closed by <@U0OWNER01>')).toBe('this build was closed by &lt;@U0OWNER01&gt;');
  });
});
