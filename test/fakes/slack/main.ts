/**
 * Runs the Slack Web API fake as its own process (demo, e2e with separate services).
 *
 *   npx tsc -p test/fakes/slack/tsconfig.main.json && node dist/test-fakes/slack/main.js --port 4010
 *
 * Port: `--port N`, else SLACK_FAKE_PORT, else a free one. Token: `--token`, else SLACK_BOT_TOKEN,
 * else `xoxb-test-token`. App-level token (Socket Mode): `--app-token`, else SLACK_APP_TOKEN, else
 * `xapp-1-A0DEPLOYBT-1-test-app-token`. Channels: `--channels C1,C2`, else SLACK_FAKE_CHANNELS, else any C…/G… id.
 * Prints one JSON line `{"apiUrl":…,"port":…,"appToken":…}` on stdout, a readable transcript on stderr
 * (`--quiet` to silence it), and serves until SIGTERM/SIGINT.
 */
import { renderMessage } from './message-renderer';
import { startSlackFake } from './slack-api.fake';
import type { RecordedCall } from './slack-fake.types';
import { describeCall } from './wait-for';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function transcript(call: RecordedCall): void {
  process.stderr.write(`${describeCall(call)}\n`);
  if (call.response.ok && (call.method === 'chat.postMessage' || call.method === 'chat.update' || call.method === 'chat.postEphemeral')) {
    const body = renderMessage({ text: call.args.text as string | undefined, blocks: call.args.blocks });
    process.stderr.write(`${body.replace(/^/gm, '      | ')}\n`);
  }
}

async function main(): Promise<void> {
  const portText = option('port') ?? process.env.SLACK_FAKE_PORT;
  const port = portText === undefined ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`port "${portText}" is not a TCP port (expected 0-65535, e.g. --port 4010)`);
  }
  const channels = (option('channels') ?? process.env.SLACK_FAKE_CHANNELS)?.split(',').filter(Boolean);
  const fake = await startSlackFake({
    port,
    token: option('token') ?? process.env.SLACK_BOT_TOKEN,
    appToken: option('app-token') ?? process.env.SLACK_APP_TOKEN,
    channels,
    onCall: process.argv.includes('--quiet') ? undefined : transcript,
  });
  process.stdout.write(`${JSON.stringify({ apiUrl: fake.apiUrl, port: Number(new URL(fake.apiUrl).port), appToken: fake.appToken })}\n`);
  const shutdown = () => {
    fake.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`Slack fake failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
