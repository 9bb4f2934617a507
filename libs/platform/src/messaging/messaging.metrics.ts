import { Counter, Histogram, register } from 'prom-client';

const counter = (name: string, help: string, labelNames: string[]) =>
  (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });

/** Metrics of the JetStream transport, shared by every service (one registry per process). */
export const MessagingMetrics = {
  handled: counter(
    'deploybot_messages_handled_total',
    "Deliveries by subject and result: ok, error, interrupted, retry-later, waiting (for the build's previous message), unknown-subject, duplicate (finished before), ignored (no handler), dead-lettered, terminated, dead-letter-failed",
    ['service', 'subject', 'result'],
  ),
  deadLettered: counter('deploybot_messages_dead_lettered_total', 'Messages moved to the dead-letter subject', [
    'service',
    'subject',
    'reason',
  ]),
  terminated: counter(
    'deploybot_messages_terminated_total',
    "Messages given up without a dead letter (a dead-letter consumer's own failures, subjects a filtered consumer has no handler for)",
    ['service', 'subject'],
  ),
  published: counter('deploybot_messages_published_total', 'JetStream publishes, by subject and result', ['subject', 'result']),
  handlerSeconds:
    (register.getSingleMetric('deploybot_message_handler_seconds') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'deploybot_message_handler_seconds',
      help: 'Time spent in message handlers',
      labelNames: ['service', 'subject'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
    }),
};
