import type { FaultKind } from './chaos-options';
import type { SeededRandom } from './seeded-random';

/** One fault to inject: what, on what, for how long (pure data, drawn from the seed). */
export interface FaultStep {
  kind: FaultKind;
  /** A process name (`notifier-2`) for kill and pause. */
  target?: string;
  /** How long the fault holds (kill: how long the process stays dead). */
  durationMs: number;
  /** Kind-specific: stall delay, Retry-After, HTTP status, stall effect. */
  delayMs?: number;
  retryAfterSeconds?: number;
  status?: number;
  effect?: 'at-once' | 'after-delay';
}

/**
 * Faults run in four lanes at once, each one fault after another with a seeded gap: processes
 * (kill, pause), infrastructure (NATS, Postgres), Slack, Kubernetes. So a Slack outage can
 * overlap a killed notifier and a Postgres restart, but one lane never stacks two faults.
 */
export const LANES: Record<string, FaultKind[]> = {
  processes: ['kill', 'pause'],
  infrastructure: ['nats-restart', 'pg-restart'],
  slack: ['slack-stall', 'slack-429', 'slack-5xx', 'slack-down', 'slack-outage'],
  kubernetes: ['kube-stall', 'kube-5xx', 'kube-refused'],
};

/** How often each kind comes up in its lane (a long outage is rare). */
const WEIGHT: Record<FaultKind, number> = {
  kill: 3,
  pause: 2,
  'nats-restart': 1,
  'pg-restart': 1,
  'slack-stall': 2,
  'slack-429': 2,
  'slack-5xx': 2,
  'slack-down': 2,
  'slack-outage': 0.5,
  'kube-stall': 1,
  'kube-5xx': 1,
  'kube-refused': 1,
};

/** The next fault of a lane among the enabled kinds, or undefined when none of its kinds is enabled. */
export function nextFault(
  lane: FaultKind[],
  enabled: readonly FaultKind[],
  processes: readonly string[],
  random: SeededRandom,
  outageMinutes: number,
): FaultStep | undefined {
  const kinds = lane.filter((k) => enabled.includes(k));
  if (!kinds.length) return undefined;
  const kind = random.weighted(Object.fromEntries(kinds.map((k) => [k, WEIGHT[k]])) as Record<FaultKind, number>);
  const ms = (minS: number, maxS: number) => Math.round(random.between(minS, maxS) * 1000);
  switch (kind) {
    case 'kill':
      return { kind, target: random.pick(processes), durationMs: ms(0.5, 5) };
    case 'pause':
      // Beyond JetStream's 30 s ack wait now and then: the other replica gets the message meanwhile.
      return { kind, target: random.pick(processes), durationMs: ms(1, 40) };
    case 'nats-restart':
    case 'pg-restart':
      return { kind, durationMs: ms(0.5, 8) };
    case 'slack-stall':
      // The notifier gives up on a Slack call after 10 s: some stalls are longer.
      return { kind, durationMs: ms(5, 30), delayMs: ms(2, 15), effect: random.next() < 0.75 ? 'at-once' : 'after-delay' };
    case 'slack-429':
      return { kind, durationMs: ms(5, 30), retryAfterSeconds: random.int(1, 5) };
    case 'slack-5xx':
      return { kind, durationMs: ms(5, 30), status: random.pick([500, 502, 503, 504]) };
    case 'slack-down':
      return { kind, durationMs: ms(5, 60) };
    case 'slack-outage':
      return { kind, durationMs: outageMinutes * 60_000 };
    case 'kube-stall':
      return { kind, durationMs: ms(5, 30), delayMs: ms(1, 8) };
    case 'kube-5xx':
      return { kind, durationMs: ms(5, 20), status: random.pick([500, 503]) };
    case 'kube-refused':
      return { kind, durationMs: ms(5, 30) };
    default: {
      const _exhaustive: never = kind;
      return _exhaustive;
    }
  }
}

/** The pause before a lane's next fault: the mean gap, ±50 %. */
export const gapMs = (meanSeconds: number, random: SeededRandom): number => Math.round(random.between(0.5, 1.5) * meanSeconds * 1000);

/** One line for the log and the report: `kill notifier-2 for 2.3 s`. */
export function describeFault(step: FaultStep): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const extra = [
    step.target,
    step.delayMs !== undefined ? `delay ${s(step.delayMs)}` : undefined,
    step.effect === 'after-delay' ? 'effect after the delay' : undefined,
    step.retryAfterSeconds !== undefined ? `Retry-After ${step.retryAfterSeconds}` : undefined,
    step.status !== undefined ? `HTTP ${step.status}` : undefined,
  ].filter(Boolean);
  return `${step.kind}${extra.length ? ` (${extra.join(', ')})` : ''} for ${s(step.durationMs)}`;
}
