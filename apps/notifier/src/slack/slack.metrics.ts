import { Counter, Gauge, register } from 'prom-client';

/* One registry per process; tests build several apps in one process, so reuse what exists. */
const gauge = (name: string, help: string) => (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });

/** What the notifier knows about Slack itself (the flows count the events that wait for it: flows.metrics.ts). */
export const SlackMetrics = {
  reachable: gauge(
    'deploybot_notifier_slack_reachable',
    '1 while Slack answers; 0 from the first call that found it down (refused, timed out, 5xx, 429, internal_error…) until a probe gets an answer',
  ),
  probes: counter(
    'deploybot_notifier_slack_probes_total',
    'auth.test probes made while Slack was unreachable, by result (answered, unreachable): one per probe interval, not one per waiting message',
    ['result'],
  ),
};
