import { z } from 'zod';

/**
 * Who caused a message. A Slack user for clicks, CI for webhooks, a service for
 * outcomes and decisions that follow from other events.
 *
 * Persisted in the event log and sent between services: renaming a field needs a migration.
 */
export const ActorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('slack-user'), id: z.string().min(1), name: z.string().optional() }),
  z.object({ kind: z.literal('ci') }),
  z.object({ kind: z.literal('service'), name: z.string().min(1) }),
]);
export type Actor = z.infer<typeof ActorSchema>;

/**
 * Every message between services and every stored event carries this envelope (docs/architecture.md §4).
 *
 * - `id` is unique per message and doubles as the JetStream `Nats-Msg-Id`, so a publish
 *   that is retried is stored once.
 * - `streamId` / `version` place a domain event in its stream (one stream per build).
 *   Inputs that are not part of a stored stream use the stream they are about and version 0.
 * - `correlationId` is the build (or, before a build exists, the CI request);
 *   `causationId` is the id of the message that caused this one.
 */
export const envelopeSchema = <TType extends string, TData extends z.ZodType>(type: TType, data: TData) =>
  z.object({
    id: z.string().min(1).max(200),
    type: z.literal(type),
    streamId: z.string().min(1).max(200),
    version: z.number().int().min(0),
    occurredAt: z.iso.datetime({ offset: true }),
    correlationId: z.string().min(1).max(200),
    causationId: z.string().min(1).max(200),
    actor: ActorSchema.optional(),
    data,
  });

export interface EventEnvelope<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  streamId: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  actor?: Actor;
  data: TData;
}
