import type { SlackMessage } from '../../fakes/slack';
import { buttonsOf, dmOfBuild } from './slack-views';
import type { E2eProject, Stack } from './stack';

/** A preview that is up, with the DMs its people got. */
export interface LivePreview {
  buildId: string;
  /** The id the gateway answered CI with (a CI request id; GET /v1/builds accepts it too). */
  requestId: string;
  ownerDms: Record<string, SlackMessage>;
  qaDms: Record<string, SlackMessage>;
}

/** A project of the e2e projects file, with channel and people of its own. */
export function e2eProject(id: string, n: number, extra: Partial<E2eProject> = {}): E2eProject {
  const pad = String(n).padStart(2, '0');
  return {
    id,
    name: `Project ${id}`,
    url: `https://${id}.example.org`,
    channel: `C0E2E00${pad}`,
    qa: [`U0QA${pad}001`, `U0QA${pad}002`],
    owners: [`U0OW${pad}001`, `U0OW${pad}002`],
    approvals: { required: 1 },
    ...extra,
  };
}

/** CI reports a build; resolves with the build id once approvals has registered it. */
export async function reportBuild(
  stack: Stack,
  form: { project: string; image: string; type: string; target: string },
): Promise<{ buildId: string; requestId: string }> {
  const accepted = await stack.ciBuildComplete(form);
  if (accepted.status !== 202) throw new Error(`CI call answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  const requestId: string = accepted.body.id;
  const build = await stack.waitFor(`build of CI request ${requestId} is registered`, async () => {
    const view = await stack.getBuild(requestId);
    return view.status === 200 && view.body;
  });
  return { buildId: build.id, requestId };
}

/** Waits until every owner and QA member of `project` has a DM with buttons for `buildId`. */
export async function waitForRequestDms(
  stack: Stack,
  project: E2eProject,
  buildId: string,
  timeoutMs = 30_000,
): Promise<Omit<LivePreview, 'buildId' | 'requestId'>> {
  const people = [...project.owners, ...(project.qa ?? [])];
  await stack.waitFor(
    `DMs with buttons for build ${buildId} to ${people.join(', ')}`,
    () =>
      people.every((p) => {
        const dm = dmOfBuild(stack.slack, p, buildId);
        return dm && buttonsOf(dm).length > 0;
      }),
    timeoutMs,
  );
  const pick = (users: string[]): Record<string, SlackMessage> =>
    Object.fromEntries(users.map((u) => [u, dmOfBuild(stack.slack, u, buildId)!]));
  return { ownerDms: pick(project.owners), qaDms: pick(project.qa ?? []) };
}

/** CI reports a build and the preview comes up: every owner and QA member has their DM. */
export async function livePreview(stack: Stack, project: E2eProject, target: string, image: string): Promise<LivePreview> {
  const { buildId, requestId } = await reportBuild(stack, { project: project.id, image, type: 'branch', target });
  return { buildId, requestId, ...(await waitForRequestDms(stack, project, buildId)) };
}

/** A click on a button of a DM the bot sent to `user`. */
export const clickIn = (
  stack: Stack,
  user: string,
  dm: SlackMessage,
  actionId: string,
  buildId: string,
  extra: { badSignature?: boolean } = {},
) => stack.slackClick({ user, actionId: actionId as never, buildId, channel: dm.channel, messageTs: dm.ts, ...extra });
