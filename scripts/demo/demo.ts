/**
 * `npm run demo`: the whole product on a laptop with only Postgres and NATS. The four built
 * services run as processes, a Slack Web API fake and a Kubernetes API fake stand in for the
 * workspace and the cluster, and the whole flow plays out — build → preview → QA
 * approves → owner promotes — printing, step by step, what each person sees in Slack.
 */
import { renderMessage, type SlackMessage } from '../../test/fakes/slack';
import { clickIn, livePreview } from '../../test/e2e/support/flows';
import { topLevel } from '../../test/e2e/support/slack-views';
import { startStack, type E2eProject, type Stack } from '../../test/e2e/support/stack';
import { SlackActions } from '@app/contracts';

const project: E2eProject = {
  id: 'test1',
  name: 'Testing One',
  url: 'https://example.org',
  channel: 'C0123456789',
  qa: ['U0QA00001', 'U0QA00002'],
  owners: ['U0OWNER01'],
  approvals: { required: 1 },
};
const people: Record<string, string> = { U0QA00001: 'Quinn (QA)', U0QA00002: 'Ada (QA)', U0OWNER01: 'Olivia (owner)' };

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const indent = (text: string, by = '    ') =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');

function step(n: number, title: string): void {
  process.stdout.write(`\n${bold(`── ${n}. ${title} `.padEnd(78, '─'))}\n`);
}

/** A conversation as its reader sees it: top-level messages, each with its thread. */
function showConversation(stack: Stack, who: string, channelOrUser: string): void {
  process.stdout.write(`\n  ${bold(who)} ${dim(`(${channelOrUser})`)}\n`);
  const messages = topLevel(stack.slack, channelOrUser);
  if (!messages.length) process.stdout.write(`${indent(dim('(nothing yet)'))}\n`);
  for (const message of messages) {
    process.stdout.write(`${indent(render(message))}\n`);
    for (const reply of stack.slack.thread(message.channel, message.ts))
      process.stdout.write(`${indent(`↳ ${render(reply)}`, '      ')}\n`);
  }
}

const render = (m: SlackMessage): string => (renderMessage(m).trim() || m.text) + (m.editCount ? dim(`  (edited ${m.editCount}×)`) : '');

async function main(): Promise<void> {
  process.stdout.write(bold('deploybot demo') + dim(' — the Slack workspace and the cluster are local fakes; everything else is real\n'));
  const started = Date.now();
  const stack = await startStack({ projects: [project] });
  try {
    step(1, 'CI reports a build: POST /build-complete (form-encoded, as the CI step of the original ci-bot)');
    process.stdout.write(`${indent('project=test1 image=registry.example.org/test1:1.4.2 type=branch target=staging')}\n`);
    const preview = await livePreview(stack, project, 'staging', 'registry.example.org/test1:1.4.2');
    process.stdout.write(`${indent(`→ 202, build ${preview.buildId}; the preview rolled out to https://staging.branch.example.org`)}\n`);
    const deployment = stack.kube.get('Deployment', 'default', 'test1-branch-staging');
    process.stdout.write(
      `${indent(dim(`kubernetes: Deployment/test1-branch-staging ${deployment?.status?.availableReplicas ?? 0}/${deployment?.spec?.replicas} available`))}\n`,
    );
    showConversation(stack, '#test1 channel', project.channel);
    for (const user of [...project.owners, ...project.qa!]) showConversation(stack, `DM to ${people[user]}`, user);

    step(2, `${people.U0QA00001} clicks Approve (a signed block_actions request to /slack/interactions)`);
    const qaDm = preview.qaDms.U0QA00001;
    const clicked = await clickIn(stack, 'U0QA00001', qaDm, SlackActions.Approve, preview.buildId);
    process.stdout.write(`${indent(`→ Slack got ${clicked.status} at once; the rest arrives as message edits`)}\n`);
    const ownerDm = preview.ownerDms.U0OWNER01;
    await stack.waitFor('the owner is told the build is approved', () => stack.slack.thread(ownerDm.channel, ownerDm.ts).length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    showConversation(stack, `DM to ${people.U0QA00001}`, 'U0QA00001');
    showConversation(stack, `DM to ${people.U0OWNER01}`, 'U0OWNER01');

    step(3, `${people.U0OWNER01} clicks Deploy to production`);
    await clickIn(stack, 'U0OWNER01', ownerDm, SlackActions.Promote, preview.buildId);
    await stack.waitFor(
      'production is announced in the channel',
      () => stack.slack.messages(project.channel).some((m) => /deployed to production/i.test(m.text)),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    const production = stack.kube.get('Deployment', 'default', 'test1');
    process.stdout.write(
      `${indent(dim(`kubernetes: Deployment/test1 runs ${production?.spec?.template?.spec?.containers?.[0]?.image}`))}\n`,
    );
    showConversation(stack, '#test1 channel', project.channel);
    showConversation(stack, `DM to ${people.U0OWNER01}`, 'U0OWNER01');

    step(4, 'The event log of the build (GET /v1/builds/:id)');
    const build = await stack.getBuild(preview.buildId);
    process.stdout.write(`${indent(JSON.stringify(build.body, null, 2))}\n`);
    process.stdout.write(`\n${bold('done')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
