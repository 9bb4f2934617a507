import { Logger } from '@nestjs/common';
import { SlackCallFailed } from './slack-call-failed';
import { SlackMetrics } from './slack.metrics';

/** How the notifier probes a Slack that stopped answering; defaults suit production, tests shorten them. */
export interface SlackOutageSettings {
  /** The first probe comes this long after Slack stopped answering; every failed probe doubles the wait… */
  firstProbeMs: number;
  /** …up to this, so Slack's return is noticed within about this long (and waiting events return at that pace). */
  maxProbeMs: number;
}

export const DEFAULT_OUTAGE_SETTINGS: SlackOutageSettings = { firstProbeMs: 5_000, maxProbeMs: 60_000 };

/** Asked before every Slack effect: throws the `unavailable` SlackCallFailed while Slack is known to be down. */
export interface SlackGate {
  admit(): Promise<void>;
}

/** A gate that is always open (for tests of what does not care about outages). */
export const OPEN_GATE: SlackGate = { admit: async () => undefined };

type State =
  | { reachable: true; since: number }
  | { reachable: false; since: number; cause: SlackCallFailed; level: number; nextProbeAt: number };

/**
 * Whether Slack answers, for the whole process (a circuit breaker). The first call that fails
 * as if Slack were down (`unavailable`: refused, timed out, 5xx, 429, `internal_error`…) marks
 * it unreachable; from then on no effect calls Slack (`admit` throws at once) until a probe —
 * one `auth.test`, never retried — gets an answer. Probes are spaced `firstProbeMs`, doubling up
 * to `maxProbeMs`, and only made when a waiting event comes back for its turn, so an outage costs
 * Slack one call per probe, not one per pending message. Any answer from Slack (a success, or an
 * error Slack chose to give, like `not_in_channel`) marks it reachable again.
 *
 * A Slack that answers the probe but fails again within `maxProbeMs` continues the backoff where
 * it stopped instead of starting over, so a flapping Slack is not flooded by every waiting event
 * every few seconds.
 */
export class SlackReachability implements SlackGate {
  private readonly logger = new Logger('SlackReachability');
  private state: State;
  private probing?: Promise<boolean>;
  private lastOutage?: { endedAt: number; level: number };

  constructor(
    private readonly settings: SlackOutageSettings,
    /** One cheap call to Slack; resolves, or throws a SlackCallFailed. */
    private readonly probe: () => Promise<unknown>,
    private readonly now: () => number = Date.now,
  ) {
    this.state = { reachable: true, since: now() };
    SlackMetrics.reachable.set(1);
  }

  get reachable(): boolean {
    return this.state.reachable;
  }

  /** Since when Slack has been in its current state (ms since the epoch). */
  get since(): number {
    return this.state.since;
  }

  /** Slack answered a call (successfully, or with an error of its choosing). */
  answered(): void {
    if (this.state.reachable) return;
    const { since, level } = this.state;
    const at = this.now();
    this.lastOutage = { endedAt: at, level };
    this.state = { reachable: true, since: at };
    SlackMetrics.reachable.set(1);
    this.logger.log({
      msg: `Slack answers again after ${seconds(at - since)} s; waiting events go out now`,
      outageSeconds: seconds(at - since),
    });
  }

  /** A call failed; only an `unavailable` failure says anything about Slack being down. */
  failed(error: SlackCallFailed): void {
    if (!error.unavailable || !this.state.reachable) return;
    const at = this.now();
    const recent = this.lastOutage && at - this.lastOutage.endedAt < this.settings.maxProbeMs;
    const level = recent ? this.lastOutage!.level + 1 : 0;
    this.state = { reachable: false, since: at, cause: error, level, nextProbeAt: at + this.backoff(level) };
    SlackMetrics.reachable.set(0);
    this.logger.warn({
      msg: `Slack is unreachable (${error.code} from ${error.method}): messages wait, nothing is dead-lettered; probing with auth.test every ${seconds(this.settings.firstProbeMs)}–${seconds(this.settings.maxProbeMs)} s`,
      slackError: error.code,
      method: error.method,
    });
  }

  /**
   * Lets a Slack call go ahead while Slack is reachable. While it is not: throws at once until
   * the next probe is due; then the first caller probes and the others wait for that probe.
   */
  async admit(): Promise<void> {
    if (this.state.reachable) return;
    if (this.now() < this.state.nextProbeAt) throw this.unreachable();
    this.probing ??= this.probeOnce().finally(() => (this.probing = undefined));
    if (!(await this.probing)) throw this.unreachable();
  }

  /**
   * How long an event that could not reach Slack should wait before it comes back: until the
   * next probe is due (never more than `maxProbeMs`), and a short while when it is due already.
   */
  retryDelayMs(): number {
    const soon = Math.ceil(this.settings.firstProbeMs / 5);
    if (this.state.reachable) return soon;
    return Math.min(Math.max(this.state.nextProbeAt - this.now(), soon), this.settings.maxProbeMs);
  }

  /** true when Slack answered the probe (any answer but an `unavailable` failure). */
  private async probeOnce(): Promise<boolean> {
    try {
      await this.probe();
    } catch (error) {
      if (error instanceof SlackCallFailed && error.unavailable) {
        SlackMetrics.probes.inc({ result: 'unreachable' });
        if (this.state.reachable) return true; // another call got through meanwhile
        const level = this.state.level + 1;
        this.state = { ...this.state, cause: error, level, nextProbeAt: this.now() + this.backoff(level) };
        this.logger.debug({ msg: `Slack still unreachable (${error.code}); next probe in ${seconds(this.backoff(level))} s` });
        return false;
      }
    }
    SlackMetrics.probes.inc({ result: 'answered' });
    this.answered();
    return true;
  }

  private backoff(level: number): number {
    return Math.min(this.settings.firstProbeMs * 2 ** Math.min(level, 30), this.settings.maxProbeMs);
  }

  private unreachable(): SlackCallFailed {
    const state = this.state as Extract<State, { reachable: false }>;
    const last = `${state.cause.code} from ${state.cause.method}`;
    return new SlackCallFailed(
      'Web API',
      'slack_unreachable',
      'unavailable',
      false,
      `Slack has been unreachable since ${new Date(state.since).toISOString()} (${last}); not called until a probe gets an answer`,
    );
  }
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
