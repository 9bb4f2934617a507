import type { Subcommand } from './slash-command';
import { escapeMrkdwn, section, SlashAnswer } from './slash-answer';

/** One usage line per subcommand: what to type, and what it does. */
const USAGE: Record<Subcommand, { args: string; does: string }> = {
  status: { args: 'status [project]', does: 'what runs in preview and production, and what waits for whom' },
  builds: { args: 'builds <project>', does: 'the latest builds of a project' },
  releases: { args: 'releases <project>', does: "a project's production history" },
  promote: { args: 'promote <project> <branch|tag>/<name>', does: 'deploy a build to production (owners; asks you to confirm)' },
  close: { args: 'close <project> <branch|tag>/<name>', does: 'close a build and tear its preview down (owners; asks you to confirm)' },
  help: { args: 'help', does: 'this list' },
};

/** `/deploybot promote <project> <branch|tag>/<name>`: the command as the app is configured. */
export const usageLine = (command: string, subcommand: Subcommand): string => `${command} ${USAGE[subcommand].args}`;

const allUsage = (command: string): string =>
  (Object.keys(USAGE) as Subcommand[]).map((s) => `\`${escapeMrkdwn(usageLine(command, s))}\` — ${USAGE[s].does}`).join('\n');

/** `help` (and an empty command): every subcommand. */
export function helpAnswer(command: string): SlashAnswer {
  return {
    response_type: 'ephemeral',
    text: `${command}: status, builds, releases, promote, close, help`,
    blocks: [section(`*${escapeMrkdwn(command)}* — deploybot in Slack\n${allUsage(command)}`)],
  };
}

/**
 * A command deploybot cannot read: what was wrong, and the usage line of that subcommand (every
 * line when the subcommand itself was unknown). Always a 200: a typo is not an error of the request.
 */
export function invalidAnswer(command: string, problem: string, subcommand?: Subcommand): SlashAnswer {
  const usage = subcommand ? `Usage: \`${usageLine(command, subcommand)}\`` : `Usage: \`${command} help\` lists every command`;
  return {
    response_type: 'ephemeral',
    text: escapeMrkdwn(`${problem}. ${usage}`),
    blocks: [
      section(
        `${escapeMrkdwn(problem)}.\n${subcommand ? `Usage: \`${escapeMrkdwn(usageLine(command, subcommand))}\`` : allUsage(command)}`,
      ),
    ],
  };
}

/** The query could not be answered in time (approvals away or slow): Slack must still hear within 3 s. */
export function unavailableAnswer(): SlashAnswer {
  return {
    response_type: 'ephemeral',
    text: 'deploybot cannot answer right now (its build records did not answer in time) — please try again in a moment',
  };
}

/** Something failed on deploybot's side (logged): said as such, still a 200 Slack can show. */
export function failedAnswer(): SlashAnswer {
  return { response_type: 'ephemeral', text: 'deploybot could not answer this command (an error on its side, logged) — please try again' };
}

/** Approvals refused the query (an unknown build of a target, say): its message, as it is. */
export function refusedAnswer(message: string): SlashAnswer {
  return { response_type: 'ephemeral', text: escapeMrkdwn(message) };
}
