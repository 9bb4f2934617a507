import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { fail, ok, type MethodAnswer } from './methods/method-context';
import type { SocketDelivery, SocketEnvelopeRecord } from './slack-fake.types';
import { BOT } from './workspace';

/** The path of the URLs `apps.connections.open` hands out, as Slack's (`wss://wss-primary.slack.com/link/?ticket=…`). */
const LINK_PATH = '/link/';
/** Slack waits this long for an envelope's acknowledgement. */
export const SOCKET_ACK_TIMEOUT_MS = 3_000;
/** A ticket is good for one connection within this long (Slack's are short-lived too). */
const TICKET_TTL_MS = 30_000;

export interface SocketModeOptions {
  /** The app-level token `apps.connections.open` takes. */
  appToken: string;
  /** How often the fake pings each connection, as Slack's servers do. */
  pingIntervalMs: number;
}

/**
 * Slack's side of Socket Mode on the fake's own port: `apps.connections.open` (with the app-level
 * token) issues a one-use `ws://127.0.0.1:<port>/link/?ticket=…` URL; a connection to it gets
 * Slack's `hello`, pings, and envelopes (`{envelope_id, type, payload, accepts_response_payload}`)
 * that the app acknowledges with `{envelope_id, payload?}` within 3 s. Slack asks a client to
 * reconnect with a `disconnect` message (`refresh_requested`, `warning`), and connections also
 * just drop; both can be played (`refresh`, `drop`).
 */
export class SocketModeEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, number>();
  private readonly open = new Set<WebSocket>();
  private readonly waiting = new Map<string, (payload: Record<string, unknown>) => void>();
  private readonly recorded: SocketEnvelopeRecord[] = [];
  private opened = 0;

  constructor(
    server: Server,
    private readonly options: SocketModeOptions,
    private readonly baseUrl: () => string,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** `apps.connections.open`: only the app-level token may open a connection (a bot token is `not_allowed_token_type`). */
  connectionsOpen(token: string | undefined, now: number): MethodAnswer {
    if (!token) return fail('not_authed');
    if (token !== this.options.appToken) return fail(token.startsWith('xox') ? 'not_allowed_token_type' : 'invalid_auth');
    const ticket = randomUUID();
    this.tickets.set(ticket, now);
    const host = this.baseUrl().replace(/^http/, 'ws');
    return ok({ url: `${host}${LINK_PATH}?ticket=${ticket}&app_id=${BOT.appId}` });
  }

  /** Connections that got their `hello` and are open now. */
  connections(): number {
    return this.open.size;
  }

  /** How many connections were ever opened (a reconnect opens one more). */
  connectionsOpened(): number {
    return this.opened;
  }

  envelopes(): SocketEnvelopeRecord[] {
    return this.recorded.map((r) => structuredClone(r));
  }

  /** Sends one envelope on an open connection (waiting up to `connectionWaitMs` for one) and waits 3 s for its ack. */
  async deliver(type: string, payload: Record<string, unknown>, connectionWaitMs: number): Promise<SocketDelivery> {
    const envelopeId = randomUUID();
    const started = Date.now();
    const socket = await this.someConnection(connectionWaitMs);
    if (!socket) return { envelopeId, tookMs: Date.now() - started, failure: 'no_connection' };
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
    };
    const record: SocketEnvelopeRecord = { envelopeId, type, payload: structuredClone(payload), sentAt: Date.now() };
    this.recorded.push(record);
    const sentAt = Date.now();
    const acked = new Promise<Record<string, unknown> | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelopeId);
        resolve(undefined);
      }, SOCKET_ACK_TIMEOUT_MS);
      this.waiting.set(envelopeId, (ackPayload) => {
        clearTimeout(timer);
        this.waiting.delete(envelopeId);
        resolve(ackPayload);
      });
    });
    socket.send(JSON.stringify(envelope));
    const ackPayload = await acked;
    const tookMs = Date.now() - sentAt;
    if (ackPayload === undefined) return { envelopeId, tookMs, failure: 'no_ack' };
    record.ack = structuredClone(ackPayload);
    record.ackedAfterMs = tookMs;
    return { envelopeId, tookMs, ack: ackPayload };
  }

  /** Slack asks every open connection to go: a `disconnect` message (the client opens a new connection). */
  refresh(reason: string): void {
    for (const socket of this.open) socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
  }

  /** Every open connection breaks without a close frame, as a network cut does. */
  drop(): void {
    for (const socket of this.open) socket.terminate();
    this.open.clear();
  }

  forget(): void {
    this.recorded.length = 0;
  }

  close(): void {
    this.drop();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    const issued = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (url.pathname !== LINK_PATH || issued === undefined || Date.now() - issued > TICKET_TTL_MS) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  private connected(ws: WebSocket): void {
    this.open.add(ws);
    this.opened += 1;
    const ping = setInterval(() => ws.ping(randomBytes(4)), this.options.pingIntervalMs);
    ping.unref();
    ws.on('close', () => {
      clearInterval(ping);
      this.open.delete(ws);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return; // Slack ignores what it cannot read
      }
      const { envelope_id: id, payload } = (message ?? {}) as { envelope_id?: unknown; payload?: unknown };
      if (typeof id !== 'string') return;
      this.waiting.get(id)?.(typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {});
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open.size,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: BOT.appId },
      }),
    );
  }

  private async someConnection(waitMs: number): Promise<WebSocket | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const socket = [...this.open].find((s) => s.readyState === WebSocket.OPEN);
      if (socket || Date.now() >= deadline) return socket;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
