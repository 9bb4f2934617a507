import { Counter, Gauge, register } from 'prom-client';

/* One registry per process; tests build several apps in one process, so reuse what exists. */
const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
const gauge = (name: string, help: string, collect: (this: Gauge) => void) =>
  (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, collect });

type WaitingSummary = () => { events: number; oldestAgeSeconds: number };
/** The process's WaitingForSlack (the latest one built: tests build several apps in one process). */
let waiting: WaitingSummary | undefined;

/** The notifier's own Prometheus metrics (the transport counts every handled message besides). */
export const FlowsMetrics = {
  showedNothing: counter(
    'deploybot_notifier_events_shown_nothing_total',
    'Domain events the notifier acknowledged on purpose without touching Slack, by event type (build-events.reactions.ts says why)',
    ['type'],
  ),
  caughtUp: counter(
    'deploybot_notifier_messages_caught_up_total',
    'Handlings whose messages were edited again because another handling changed the build while they ran (docs/reliability.md F8), by event type',
    ['type'],
  ),
  waitingEvents: gauge(
    'deploybot_notifier_slack_waiting_events',
    'Domain events whose Slack messages wait for Slack to answer again, in this process (each comes back at every probe; not counted as failed deliveries)',
    function () {
      this.set(waiting?.().events ?? 0);
    },
  ),
  oldestWaitingSeconds: gauge(
    'deploybot_notifier_slack_oldest_waiting_seconds',
    'Age of the oldest event waiting for Slack (seconds since it happened; 0 when none waits); it is dead-lettered past SLACK_OUTAGE_MAX_HOURS',
    function () {
      this.set(waiting?.().oldestAgeSeconds ?? 0);
    },
  ),
  /** Where the waiting gauges read from. */
  watchWaiting(summary: WaitingSummary): void {
    waiting = summary;
  },
};
