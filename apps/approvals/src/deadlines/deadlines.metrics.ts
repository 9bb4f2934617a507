import { Counter, register } from 'prom-client';

const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });

/** Metrics of the deadline scheduler (one registry per process). */
export const DeadlineMetrics = {
  fired: counter(
    'deploybot_approvals_deadlines_fired_total',
    'Due deadlines and timers this replica recorded, by kind: preview, production, teardown (the deployer never answered), ' +
      'preview-reminder, preview-expiry, qa-reminder, owner-reminder, approval-expiry (a build timer); a replica that found one ' +
      'recorded by another counts it too',
    ['kind'],
  ),
};
