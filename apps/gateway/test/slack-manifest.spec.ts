import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SLASH_COMMANDS_PATH } from '../src/slash-commands/slash-commands.controller';

/** The Slack app manifests people paste (README, docs/slack.md) point at the gateway's real routes. */
const manifestIn = (file: string): any => {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = readFileSync(join(process.cwd(), file), 'utf8');
  const yaml = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((block) => block.includes('display_information:'));
  if (!yaml) throw new Error(`no Slack app manifest in ${file}`);
  return parse(yaml);
};

describe.each(['README.md', 'docs/slack.md'])('the Slack app manifest in %s', (file) => {
  const manifest = manifestIn(file);

  it('declares /deploybot at the gateway route that serves it, with the commands scope', () => {
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({ command: '/deploybot', url: `https://deploybot.example.org/${SLASH_COMMANDS_PATH}`, should_escape: false }),
    ]);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'im:write']));
  });

  it('sends clicks to the interactions route', () => {
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: 'https://deploybot.example.org/slack/interactions' });
  });

  it('enables the Home tab and subscribes to app_home_opened at the events route', () => {
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    expect(manifest.settings.event_subscriptions).toEqual({
      request_url: 'https://deploybot.example.org/slack/events',
      bot_events: ['app_home_opened'],
    });
  });

  it('is for Socket Mode (SLACK_APP_TOKEN), its URLs ready for HTTP, and asks for no scope deploybot does not use', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      ['channels:history', 'chat:write', 'commands', 'groups:history', 'im:history', 'im:write'].sort(),
    );
  });
});
