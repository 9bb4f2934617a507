import { parseArgs } from 'node:util';
import type { DeadLetterSelection } from './dead-letter';
import { UsageProblem } from './dlq.problems';

/** One dead letter by its DLQ sequence, or every one of a selection. */
export type Target = { seq: number } | { all: DeadLetterSelection };

export interface ActionArgs {
  target: Target;
  /** Why, recorded with the action; required to drop. */
  reason?: string;
  by?: string;
  force: boolean;
  json: boolean;
}

export type DlqCommand =
  | { kind: 'list'; selection: DeadLetterSelection; json: boolean }
  | { kind: 'show'; seq: number; json: boolean }
  | ({ kind: 'replay' } & ActionArgs)
  | ({ kind: 'drop' } & ActionArgs & { reason: string })
  | { kind: 'history'; service?: string; seq?: number; json: boolean }
  | { kind: 'help' };

export const USAGE = `usage: npm run dlq -- <command> [options]

  list    [--service S] [--subject X] [--json]      dead letters, oldest first, per service
  show    <seq> [--json]                            one dead letter: headers and payload
  replay  <seq> | --all [--service S] [--subject X] [--reason "…"] [--by NAME] [--force] [--json]
                                                    republish to the original subject, then remove it from the DLQ
  drop    <seq> | --all [--service S] [--subject X] --reason "…" [--by NAME] [--force] [--json]
                                                    remove it from the DLQ without handling it
  history [--service S] [--seq N] [--json]          every replay and drop: who, when, why

  --subject is relative to the prefix and may use wildcards (build.closed, build.*, input.>).
  --force acts on a dead letter a DLQ consumer (approvals) has not read yet, or replays one it has acted on.
  Environment, as the services': NATS_URL (nats://localhost:4222), NATS_SUBJECT_PREFIX (deploybot),
  NATS_CREDS_FILE | NATS_NKEY_SEED_FILE | NATS_TOKEN, NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE,
  NATS_STREAM_REPLICAS; DLQ_OPERATOR names who acts (default <user>@<host>).
  Runbook: docs/operations.md, "Dead letters".`;

const options = {
  service: { type: 'string' },
  subject: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  seq: { type: 'string' },
  all: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** The command line as a command; throws UsageProblem naming what is wrong. */
export function parseDlqArgs(argv: string[]): DlqCommand {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageProblem((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') return { kind: 'help' };
  const json = values.json;
  const allowOnly = (...allowed: (keyof Values)[]) => {
    const given = (Object.keys(options) as (keyof Values)[]).filter(
      (k) => k !== 'json' && k !== 'help' && values[k] !== undefined && values[k] !== false,
    );
    const extra = given.find((k) => !allowed.includes(k));
    if (extra) throw new UsageProblem(`${command} does not take --${extra}`);
  };
  const noMorePositionals = (max: number) => {
    if (rest.length > max) throw new UsageProblem(`unexpected argument "${rest[max]}" after ${command}`);
  };

  switch (command) {
    case 'list':
      allowOnly('service', 'subject');
      noMorePositionals(0);
      return { kind: 'list', selection: selection(values), json };
    case 'show':
      allowOnly();
      noMorePositionals(1);
      return { kind: 'show', seq: sequence(rest[0], 'show <seq>'), json };
    case 'replay':
    case 'drop': {
      allowOnly('service', 'subject', 'reason', 'by', 'all', 'force');
      noMorePositionals(1);
      const action = {
        target: target(command, rest[0], values),
        reason: values.reason?.trim() || undefined,
        by: values.by,
        force: values.force,
        json,
      };
      if (command === 'replay') return { kind: 'replay', ...action };
      if (!action.reason)
        throw new UsageProblem('drop needs --reason "…": why this message may be given up (it is recorded, see `dlq history`)');
      return { kind: 'drop', ...action, reason: action.reason };
    }
    case 'history':
      allowOnly('service', 'seq');
      noMorePositionals(0);
      return { kind: 'history', service: values.service, seq: values.seq === undefined ? undefined : sequence(values.seq, '--seq'), json };
    default:
      throw new UsageProblem(`unknown command "${command}" (expected list, show, replay, drop or history)`);
  }
}

function target(command: string, seq: string | undefined, values: Values): Target {
  if (values.all && seq !== undefined) throw new UsageProblem(`${command} takes a sequence or --all, not both`);
  if (values.all) return { all: selection(values) };
  if (values.service !== undefined || values.subject !== undefined)
    throw new UsageProblem(`--service and --subject select dead letters for --all; ${command} <seq> names one already`);
  if (seq === undefined) throw new UsageProblem(`${command} needs a dead letter's sequence (see \`dlq list\`) or --all`);
  return { seq: sequence(seq, `${command} <seq>`) };
}

const selection = (values: Values): DeadLetterSelection => ({
  ...(values.service !== undefined ? { service: values.service } : {}),
  ...(values.subject !== undefined ? { subject: values.subject } : {}),
});

function sequence(raw: string | undefined, what: string): number {
  if (raw === undefined) throw new UsageProblem(`${what}: the dead letter's sequence is missing (the SEQ column of \`dlq list\`)`);
  const seq = Number(raw.replace(/^#/, ''));
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new UsageProblem(`${what}: "${raw}" is not a sequence (expected a whole number from the SEQ column of \`dlq list\`, e.g. 42)`);
  return seq;
}
