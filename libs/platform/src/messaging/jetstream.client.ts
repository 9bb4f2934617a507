import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { NatsConnection } from 'nats';
import { EventEnvelope } from '@app/contracts';
import { DEFAULTS } from './jetstream.options';
import { JetStreamPublisher } from './jetstream.publisher';
import { connectNats, isConnected } from './nats-connection';
import { watchConnection } from './connection-state';

export interface JetStreamClientOptions {
  servers: string[];
  prefix: string;
  name: string;
  timeoutMs?: number;
}

/**
 * The producing side of the transport as a Nest ClientProxy:
 * `await lastValueFrom(client.emit(Subjects.X, envelope))` resolves only after JetStream
 * acknowledged the message; `client.send(Subjects.Query, data)` is a core NATS request.
 */
export class JetStreamClient extends ClientProxy {
  private nc?: NatsConnection;
  private connecting?: Promise<NatsConnection>;
  private publisher?: JetStreamPublisher;
  private connection = { up: false };
  private readonly logger = new Logger('JetStreamClient');
  private readonly timeoutMs: number;

  constructor(private readonly options: JetStreamClientOptions) {
    super();
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  }

  async connect(): Promise<NatsConnection> {
    if (this.nc) return this.nc;
    this.connecting ??= connectNats(this.options.servers, this.options.name, this.timeoutMs).then((nc) => {
      this.nc = nc;
      this.connection = watchConnection(nc, this.logger);
      this.publisher = new JetStreamPublisher(nc, this.options.prefix, this.timeoutMs);
      return nc;
    });
    try {
      return await this.connecting;
    } catch (error) {
      this.connecting = undefined;
      throw error;
    }
  }

  isReady(): boolean {
    return isConnected(this.nc, !this.connection.up);
  }

  async close(): Promise<void> {
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamClient is not connected');
    return this.nc as T;
  }

  /** Publishes and waits for JetStream's ack. */
  async publishEvent(subject: string, envelope: EventEnvelope): Promise<void> {
    await this.connect();
    await this.publisher!.publish(subject, envelope);
  }

  async request<T>(subject: string, data: unknown, timeoutMs?: number): Promise<T> {
    await this.connect();
    return this.publisher!.request<T>(subject, data, timeoutMs);
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket<EventEnvelope>): Promise<T> {
    await this.publishEvent(this.normalizePattern(packet.pattern), packet.data);
    return undefined as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    this.request(this.normalizePattern(packet.pattern), packet.data)
      .then((response) => callback({ response, isDisposed: true }))
      .catch((err) => callback({ err, isDisposed: true }));
    return () => undefined;
  }
}
