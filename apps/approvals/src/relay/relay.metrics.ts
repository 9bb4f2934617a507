import { Counter, Gauge, register } from 'prom-client';

const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
const gauge = (name: string, help: string) => (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });

/** Metrics of the outbox relay (one registry per process). */
export const RelayMetrics = {
  publishFailures: counter(
    'deploybot_relay_publish_failures_total',
    'Events the relay could not publish, by failure: refused (by JetStream or too large), no-subject, no-stream, timeout, connection',
    ['failure'],
  ),
  parkedBuilds: gauge(
    'deploybot_relay_parked_builds',
    'Builds whose events the relay holds back because one of them cannot be published (alert on > 0)',
  ),
  stuckSeconds: gauge(
    'deploybot_relay_stuck_seconds',
    'How long the relay has been failing to publish the next event (JetStream unreachable); 0 when it is not',
  ),
};
