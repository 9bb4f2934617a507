// The peer of the benchmark: a minimal @slack/bolt app with its default receiver
// (HTTPReceiver: signature check, body parsing, listener dispatch) that acks every click.
// It makes no Web API calls: token verification is off and bot ids are given.
import bolt from '@slack/bolt';

const port = Number(process.env.PORT);
const app = new bolt.App({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  token: 'xoxb-bench-not-a-real-token',
  botId: 'B0BENCH',
  botUserId: 'U0BENCHBOT',
  tokenVerificationEnabled: false,
  logLevel: bolt.LogLevel.WARN,
  clientOptions: { slackApiUrl: 'http://127.0.0.1:9/' },
});
app.action(/.*/, async ({ ack }) => ack());
await app.start(port);
process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
process.on('SIGTERM', () => void app.stop().finally(() => process.exit(0)));
