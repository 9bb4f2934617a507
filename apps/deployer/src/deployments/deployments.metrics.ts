import { Counter, register } from 'prom-client';

/* One registry per process; tests build several apps in one process, so reuse what exists. */
const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });

/** The deployer's own Prometheus metrics (the transport counts every handled message besides). */
export const DeploymentsMetrics = {
  ignored: counter(
    'deploybot_deployer_events_ignored_total',
    'Domain events the deployer acknowledged on purpose without touching the cluster, by event type (build-events.reactions.ts says why)',
    ['type'],
  ),
};
