/**
 * What one chaos run does, from the command line (`npm run chaos -- --flows 20`) or the
 * environment (`CHAOS_FLOWS=20 npm run chaos`); the command line wins.
 */

/** Every kind of fault the suite can inject (see docs/reliability.md, "Faults"). */
export const FAULT_KINDS = [
  'kill',
  'pause',
  'nats-restart',
  'pg-restart',
  'slack-stall',
  'slack-429',
  'slack-5xx',
  'slack-down',
  'slack-outage',
  'kube-stall',
  'kube-5xx',
  'kube-refused',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Fault kinds left out of the default set because they expose a known, open bug in the
 * services (docs/reliability.md, "Findings"), with the reason: the suite would fail on every
 * run until it is fixed. Run them with `--faults all` or `--faults default,+<kind>`.
 * None today: `slack-outage` was flagged until the notifier held its posts through outages (F4),
 * `nats-restart` until a build's order was recorded before the ack (F2), `pg-restart` until an
 * unreachable database stopped counting toward maxDeliver (F5).
 */
export const FLAGGED_FAULTS: Partial<Record<FaultKind, string>> = {};

export interface ChaosOptions {
  flows: number;
  projects: number;
  seed: number;
  faults: FaultKind[];
  /** Mean seconds between two faults of one lane (processes, NATS/Postgres, Slack, Kubernetes). */
  faultGapSeconds: number;
  /** Flows driven at once. */
  concurrency: number;
  /** People react to a new state of a build after 1 s up to this many seconds (so flows overlap the faults). */
  thinkSeconds: number;
  /** How long one flow may take before the driver gives up on it (it is then audited as it stands). */
  flowTimeoutSeconds: number;
  /** How long the system gets to become quiet once the faults stopped. */
  settleTimeoutSeconds: number;
  /** Length of a `slack-outage` (Slack away for minutes). */
  outageMinutes: number;
  /** The services' clock (passed through as ROLLOUT_TIMEOUT_SECONDS, DEADLINE_GRACE_SECONDS, SHUTDOWN_GRACE_SECONDS). */
  clock: { rolloutTimeoutSeconds: number; deadlineGraceSeconds: number; shutdownGraceSeconds: number };
  /** Markdown file the run's table is appended to; undefined = none. */
  reportFile: string | undefined;
  keepLogs: boolean;
  /** What to run: `tree`, the working tree (built when stale, as e2e does), or `head` / a commit (built aside). */
  source: string;
  /** false: use dist as it is (CHAOS_NO_BUILD=1 / --no-build). */
  build: boolean;
  /** Processes each of approvals, deployer and notifier runs as (the gateway runs one). */
  replicas: number;
}

export const USAGE = `npm run chaos -- [options]      (or the CHAOS_* variables)
  --flows N            flows to drive (CHAOS_FLOWS, default 200)
  --projects N         projects they are spread over (CHAOS_PROJECTS, default 10)
  --seed N             replays a run (CHAOS_SEED, default: from the clock, printed)
  --faults LIST        default | none | all | kinds, comma-separated; "default,+kind" adds one (CHAOS_FAULTS)
                       kinds: ${FAULT_KINDS.join(', ')}
  --fault-gap S        mean seconds between faults per lane (CHAOS_FAULT_GAP_SECONDS, default 6)
  --concurrency N      flows at once (CHAOS_CONCURRENCY, default flows/5 between 3 and 12)
  --think S            people click 1 s to S s after a build changes (CHAOS_THINK_SECONDS, default 8)
  --flow-timeout S     per flow (CHAOS_FLOW_TIMEOUT_SECONDS, default 600)
  --settle-timeout S   quiet wait after the faults (CHAOS_SETTLE_TIMEOUT_SECONDS, default 300)
  --outage-minutes M   length of a slack-outage (CHAOS_OUTAGE_MINUTES, default 5; 2 under 100 flows)
  --report FILE        append the run's table here (CHAOS_REPORT, default docs/reliability.md; "none" to skip)
  --keep-logs          keep the services' logs (CHAOS_KEEP_LOGS=1)
  --source WHAT        tree: the working tree (default; built when stale, like e2e); head or a commit: built aside (CHAOS_SOURCE)
  --no-build           run dist as it is (CHAOS_NO_BUILD=1)
  --replicas N         processes of approvals, deployer and notifier each (CHAOS_REPLICAS, default 2)
Services' clock: ROLLOUT_TIMEOUT_SECONDS (default 30), DEADLINE_GRACE_SECONDS (15), SHUTDOWN_GRACE_SECONDS (5).`;

const FLAGS: Record<string, string> = {
  flows: 'CHAOS_FLOWS',
  projects: 'CHAOS_PROJECTS',
  seed: 'CHAOS_SEED',
  faults: 'CHAOS_FAULTS',
  'fault-gap': 'CHAOS_FAULT_GAP_SECONDS',
  concurrency: 'CHAOS_CONCURRENCY',
  think: 'CHAOS_THINK_SECONDS',
  'flow-timeout': 'CHAOS_FLOW_TIMEOUT_SECONDS',
  'settle-timeout': 'CHAOS_SETTLE_TIMEOUT_SECONDS',
  'outage-minutes': 'CHAOS_OUTAGE_MINUTES',
  report: 'CHAOS_REPORT',
  source: 'CHAOS_SOURCE',
  replicas: 'CHAOS_REPLICAS',
};

/** Reads argv (after the script) and the environment; throws a readable error for a bad value. */
export function parseChaosOptions(argv: string[], env: NodeJS.ProcessEnv, now = Date.now()): ChaosOptions {
  const values: Record<string, string | undefined> = Object.fromEntries(Object.entries(FLAGS).map(([flag, name]) => [flag, env[name]]));
  let keepLogs = env.CHAOS_KEEP_LOGS === '1';
  let build = env.CHAOS_NO_BUILD !== '1';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--keep-logs') keepLogs = true;
    else if (arg === '--no-build') build = false;
    else if (arg === '--help' || arg === '-h') throw new UsageRequested();
    else if (arg.startsWith('--') && arg.slice(2).split('=')[0] in FLAGS) {
      const [flag, inline] = arg.slice(2).split(/=(.*)/s);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${flag} needs a value\n${USAGE}`);
      values[flag] = value;
    } else throw new Error(`unknown option "${arg}"\n${USAGE}`);
  }
  const int = (flag: string, fallback: number, min: number, max: number): number => {
    const text = values[flag];
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${flag} (${FLAGS[flag]}): expected a whole number from ${min} to ${max}, got "${text}"`);
    return n;
  };
  const envInt = (name: string, fallback: number): number => {
    const n = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number of seconds, got "${env[name]}"`);
    return n;
  };
  const report = values.report ?? 'docs/reliability.md';
  const source = values.source ?? 'tree';
  if (!/^[\w./^~-]+$/.test(source)) throw new Error(`--source (CHAOS_SOURCE): expected tree, head or a commit, got "${source}"`);
  return {
    flows: int('flows', 200, 1, 10_000),
    projects: int('projects', 10, 1, 99),
    seed: int('seed', now % 1_000_000, 0, 2 ** 31),
    faults: parseFaults(values.faults ?? 'default'),
    faultGapSeconds: int('fault-gap', 6, 1, 3_600),
    // A short run drives fewer flows at once, so that they span several faults.
    concurrency: int('concurrency', Math.min(12, Math.max(3, Math.round(int('flows', 200, 1, 10_000) / 5))), 1, 200),
    thinkSeconds: int('think', 8, 1, 600),
    flowTimeoutSeconds: int('flow-timeout', 600, 30, 86_400),
    settleTimeoutSeconds: int('settle-timeout', 300, 10, 86_400),
    // Minutes of Slack away: the full run takes the whole 5, a short one 2.
    outageMinutes: int('outage-minutes', int('flows', 200, 1, 10_000) >= 100 ? 5 : 2, 1, 60),
    clock: {
      rolloutTimeoutSeconds: envInt('ROLLOUT_TIMEOUT_SECONDS', 30),
      deadlineGraceSeconds: envInt('DEADLINE_GRACE_SECONDS', 15),
      shutdownGraceSeconds: envInt('SHUTDOWN_GRACE_SECONDS', 5),
    },
    reportFile: report === 'none' || report === '0' ? undefined : report,
    keepLogs,
    source,
    build,
    replicas: int('replicas', 2, 1, 4),
  };
}

/** `default`, `none`, `all`, a list of kinds, or `default,+kind,-kind`. */
export function parseFaults(text: string): FaultKind[] {
  const defaults = FAULT_KINDS.filter((k) => !(k in FLAGGED_FAULTS));
  const chosen = new Set<FaultKind>();
  for (const raw of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (raw === 'default') defaults.forEach((k) => chosen.add(k));
    else if (raw === 'all') FAULT_KINDS.forEach((k) => chosen.add(k));
    else if (raw === 'none') chosen.clear();
    else {
      const remove = raw.startsWith('-');
      const kind = raw.replace(/^[+-]/, '');
      if (!(FAULT_KINDS as readonly string[]).includes(kind))
        throw new Error(`--faults: unknown fault kind "${kind}" (expected ${FAULT_KINDS.join(', ')}, default, all or none)`);
      if (remove) chosen.delete(kind as FaultKind);
      else chosen.add(kind as FaultKind);
    }
  }
  return FAULT_KINDS.filter((k) => chosen.has(k));
}

/** `--help`: print USAGE and exit 0. */
export class UsageRequested extends Error {
  override name = 'UsageRequested';
}
