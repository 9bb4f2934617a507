import { Counter, Gauge, register } from 'prom-client';

/* One registry per process; tests build several apps in one process, so reuse what exists. */
const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
const gauge = (name: string, help: string) => (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });

/** The Socket Mode connection's metrics (only moved when SLACK_APP_TOKEN is set). */
export const SocketModeMetrics = {
  connected: gauge(
    'deploybot_gateway_slack_socket_connected',
    '1 while the Socket Mode connection to Slack is open (hello received), else 0',
  ),
  reconnects: counter(
    'deploybot_gateway_slack_socket_reconnects_total',
    'Socket Mode connections opened again after one was lost or refreshed',
    [],
  ),
  envelopes: counter(
    'deploybot_gateway_slack_socket_envelopes_total',
    'Socket Mode envelopes served, by type and result (taken, not-taken, answered, refused, ignored, error)',
    ['type', 'result'],
  ),
};
