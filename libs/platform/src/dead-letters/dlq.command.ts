import { hostname, userInfo } from 'node:os';
import { JetStreamClient, JetStreamManager, NatsConnection, NatsError } from 'nats';
import { connectNats } from '../messaging/nats-connection';
import { DeadLetter } from './dead-letter';
import { ActionResult, DeadLetterActions, Operator } from './dead-letter-actions';
import { DeadLetterAudit } from './dead-letter-audit';
import { DeadLetterStore } from './dead-letter-store';
import { ActionArgs, DlqCommand, parseDlqArgs, USAGE } from './dlq.args';
import { DlqEnvironment, dlqEnvironment } from './dlq.environment';
import { DlqProblem, UsageProblem } from './dlq.problems';
import { actionView, historyView, letterJson, listView, showView } from './dlq.views';

/** Where the CLI reads its environment and writes its lines; tests pass their own. */
export interface DlqIo {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
  now?: () => Date;
}

interface Context {
  store: DeadLetterStore;
  audit: DeadLetterAudit;
  actions: DeadLetterActions;
  io: DlqIo;
  now: () => Date;
  /** Who acts when --by is not given: DLQ_OPERATOR, else `<os user>@<host>`. */
  operator: string;
}

const TIMEOUT_MS = 5_000;

/** Runs one `dlq` command; resolves the exit code (0 done, 1 a problem or a refusal, 2 a wrong command line). */
export async function runDlq(argv: string[], io: DlqIo): Promise<number> {
  try {
    const command = parseDlqArgs(argv);
    if (command.kind === 'help') return (io.out(USAGE), 0);
    const environment = dlqEnvironment(io.env);
    return await withNats(environment, async (nc) => execute(command, await context(nc, environment, io)));
  } catch (error) {
    if (error instanceof UsageProblem) return (io.err(`dlq: ${error.message}`), io.err(USAGE), 2);
    if (error instanceof DlqProblem) return (io.err(`dlq: ${error.message}`), 1);
    io.err(`dlq: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  }
}

/** Connects like the services do (libs/platform's helper), but says at once when NATS is not there. */
async function withNats<T>({ servers, auth }: DlqEnvironment, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  let nc: NatsConnection;
  try {
    nc = await connectNats(servers, 'deploybot-dlq', TIMEOUT_MS, auth);
  } catch (error) {
    const code = (error as NatsError).code ?? (error as Error).message;
    if (/AUTHORIZATION|AUTHENTICATION|PERMISSIONS/i.test(code)) {
      throw new DlqProblem(
        `NATS at ${servers.join(',')} refused the connection (${code}): check NATS_CREDS_FILE, NATS_NKEY_SEED_FILE or NATS_TOKEN`,
      );
    }
    throw new DlqProblem(
      `cannot reach NATS at ${servers.join(',')} (${code}): check NATS_URL, and that NATS is up and reachable from here`,
    );
  }
  try {
    return await work(nc);
  } catch (error) {
    if (error instanceof NatsError && error.code === 'TIMEOUT')
      throw new DlqProblem(
        `NATS at ${servers.join(',')} did not answer within ${TIMEOUT_MS / 1000} s (${error.message}); is JetStream up?`,
      );
    throw error;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

async function context(nc: NatsConnection, { prefix, replicas, operator }: DlqEnvironment, io: DlqIo): Promise<Context> {
  let jsm: JetStreamManager;
  try {
    jsm = await nc.jetstreamManager({ timeout: TIMEOUT_MS });
  } catch (error) {
    throw new DlqProblem(`NATS at ${nc.getServer()} offers no JetStream (${(error as Error).message}): the services need nats-server -js`);
  }
  const js: JetStreamClient = nc.jetstream({ timeout: TIMEOUT_MS });
  const now = io.now ?? (() => new Date());
  const store = new DeadLetterStore(jsm, prefix);
  const audit = new DeadLetterAudit(jsm, js, prefix, replicas);
  return {
    store,
    audit,
    actions: new DeadLetterActions(store, audit, jsm, js, prefix, now),
    io,
    now,
    operator: operator ?? `${userInfo().username}@${hostname()}`,
  };
}

async function execute(command: Exclude<DlqCommand, { kind: 'help' }>, ctx: Context): Promise<number> {
  const { io } = ctx;
  switch (command.kind) {
    case 'list': {
      await ctx.store.assertExists();
      const letters = await collect(ctx.store.list(command.selection));
      print(io, command.json ? letters.map((l) => letterJson(l, ctx.now())) : listView(letters, ctx.now()), command.json);
      return 0;
    }
    case 'show': {
      await ctx.store.assertExists();
      const letter = await ctx.store.get(command.seq);
      if (!letter) throw await gone(ctx, command.seq);
      print(io, command.json ? letterJson(letter, ctx.now()) : showView(letter, ctx.store.stream, ctx.now()), command.json);
      return 0;
    }
    case 'replay':
    case 'drop':
      return act(ctx, command.kind, command);
    case 'history': {
      const records = (await ctx.audit.history()).filter(
        (r) =>
          (command.service === undefined || r.deadLetter.service === command.service) &&
          (command.seq === undefined || r.deadLetter.seq === command.seq),
      );
      print(io, command.json ? records : historyView(records), command.json);
      return 0;
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/** Replays or drops one dead letter or a selection, one at a time, printing each result as it comes. */
async function act(ctx: Context, kind: 'replay' | 'drop', args: ActionArgs): Promise<number> {
  await ctx.store.assertExists();
  const op: Operator = { by: args.by || ctx.operator, why: args.reason ?? 'no reason given', force: args.force };
  const seqs = 'seq' in args.target ? [args.target.seq] : (await collect(ctx.store.list(args.target.all))).map((l) => l.seq);
  if (!seqs.length && !args.json) ctx.io.out('no dead letters match');
  const results: ActionResult[] = [];
  for (const seq of seqs) {
    let result: ActionResult;
    try {
      result = await ctx.actions[kind](seq, op);
    } catch (error) {
      // One dead letter that cannot be acted on must not stop the rest of --all.
      if (!(error instanceof DlqProblem) || seqs.length === 1) throw error;
      result = { seq, outcome: 'refused', problem: error.message };
    }
    results.push(result);
    if (!args.json) for (const line of actionView(result)) ctx.io.out(line);
  }
  if (args.json) print(ctx.io, results, true);
  return results.some((r) => r.outcome === 'refused') ? 1 : 0;
}

/** Why `show` finds nothing: acted on (with the record), or never there. */
async function gone(ctx: Context, seq: number): Promise<DlqProblem> {
  const last = (await ctx.audit.of(seq)).at(-1);
  if (last)
    return new DlqProblem(
      `dead letter #${seq} is no longer in ${ctx.store.stream}: ${last.action} by ${last.by} at ${last.at} (${last.why}); see \`dlq history --seq ${seq}\``,
    );
  return new DlqProblem(`there is no dead letter #${seq} in ${ctx.store.stream} (dead letters expire after 30 days; see \`dlq list\`)`);
}

async function collect(letters: AsyncIterable<DeadLetter>): Promise<DeadLetter[]> {
  const all: DeadLetter[] = [];
  for await (const l of letters) all.push(l);
  return all;
}

function print(io: DlqIo, what: unknown, json: boolean): void {
  if (json) io.out(JSON.stringify(what, null, 2));
  else for (const line of what as string[]) io.out(line);
}
