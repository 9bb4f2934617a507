import { headers as natsHeaders, JsMsg, MsgHdrs } from 'nats';

/**
 * Headers of a dead letter (`JetStreamContext.getHeader(DeadLetterHeaders.Reason)`).
 * Consumers read them from stored messages: renaming one needs a migration.
 */
export const DeadLetterHeaders = {
  /** Why the message was given up, e.g. `invalid payload: data.n …` or the handler's error. */
  Reason: 'Deploybot-Dlq-Reason',
  /** The absolute subject it was published on, prefix included. */
  OriginalSubject: 'Deploybot-Original-Subject',
  /** JetStream deliveries to the service that gave it up, interrupted ones included. */
  Deliveries: 'Deploybot-Deliveries',
  /** The service that gave it up. */
  Service: 'Deploybot-Service',
} as const;

/** `dlq.deployer.build.closed` → `build.closed`; undefined for a subject that is no dead letter. */
export const originalSubjectOf = (subject: string): string | undefined => /^dlq\.[^.]+\.(.+)$/.exec(subject)?.[1];

export function deadLetterHeaders(m: JsMsg, service: string, reason: string): MsgHdrs {
  const h = natsHeaders();
  h.set(DeadLetterHeaders.Reason, reason.slice(0, 1_000));
  h.set(DeadLetterHeaders.OriginalSubject, m.subject);
  h.set(DeadLetterHeaders.Deliveries, String(m.info.redeliveryCount));
  h.set(DeadLetterHeaders.Service, service);
  return h;
}
