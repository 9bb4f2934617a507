import { Counter, Histogram, register } from 'prom-client';

/* One registry per process; tests build several apps in one process, so reuse what exists. */
const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });

const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
  (register.getSingleMetric(name) as Histogram<string> | undefined) ?? new Histogram({ name, help, labelNames, buckets });

/** The gateway's Prometheus metrics (served by `/metrics` with the default registry). */
export const GatewayMetrics = {
  requests: counter('deploybot_http_requests_total', 'HTTP requests answered, by route, method and status', ['route', 'method', 'status']),
  duration: histogram(
    'deploybot_http_request_duration_seconds',
    'Time from request to answer, by route and method',
    ['route', 'method'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  ),
  /** One answered request: counted by route, method and status, timed by route and method. */
  recordRequest(route: string, method: string, status: number, seconds: number): void {
    GatewayMetrics.requests.inc({ route, method, status: String(status) });
    GatewayMetrics.duration.observe({ route, method }, seconds);
  },
  publishFailures: counter(
    'deploybot_gateway_publish_failures_total',
    'Inputs JetStream did not acknowledge in time, by source, subject and reason',
    ['source', 'subject', 'reason'],
  ),
  rejectModals: counter(
    'deploybot_gateway_reject_modals_total',
    'Reject clicks by what became of the modal asking why: opened, or fallback (the notifier did not open it in time, so the click rejected without a reason)',
    ['result'],
  ),
};
