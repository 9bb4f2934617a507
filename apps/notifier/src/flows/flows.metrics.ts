import { Counter, register } from 'prom-client';

/* One registry per process; tests build several apps in one process, so reuse what exists. */
const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });

/** The notifier's own Prometheus metrics (the transport counts every handled message besides). */
export const FlowsMetrics = {
  showedNothing: counter(
    'deploybot_notifier_events_shown_nothing_total',
    'Domain events the notifier acknowledged on purpose without touching Slack, by event type (build-events.reactions.ts says why)',
    ['type'],
  ),
};
