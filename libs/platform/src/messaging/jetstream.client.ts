import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { NatsConnection } from 'nats';
import { EventEnvelope, Streams, StreamName } from '@app/contracts';
import { DEFAULTS } from './jetstream.options';
import { JetStreamPublisher } from './jetstream.publisher';
import { connectNats, isConnected, NatsAuth } from './nats-connection';
import { ensureStream } from './stream-setup';
import { watchConnection } from './connection-state';

export interface JetStreamClientOptions {
  servers: string[];
  prefix: string;
  name: string;
  timeoutMs?: number;
  /** Credentials and TLS (NATS_CREDS_FILE, NATS_NKEY_SEED_FILE, NATS_TOKEN, NATS_TLS_*). */
  auth?: NatsAuth;
  /** Replicas of the streams `ensureStreams()` creates (NATS_STREAM_REPLICAS). */
  streamReplicas?: number;
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
    this.connecting ??= connectNats(this.options.servers, this.options.name, this.timeoutMs, this.options.auth).then((nc) => {
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

  /**
   * Creates (or updates) every stream of the catalogue: what a publisher does when JetStream says
   * no stream stores its subject (a stream deleted under a running deployment).
   */
  async ensureStreams(): Promise<void> {
    const jsm = await (await this.connect()).jetstreamManager({ timeout: this.timeoutMs });
    for (const stream of Object.keys(Streams) as StreamName[])
      await ensureStream(jsm, this.options.prefix, stream, this.options.streamReplicas ?? 1);
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
