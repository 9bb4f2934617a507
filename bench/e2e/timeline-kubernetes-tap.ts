import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { KubernetesFake } from '../../test/fakes/kubernetes';

/** One line of a timeline: `at` in epoch ms, `until` when it lasted. */
export interface Mark {
  at: number;
  until?: number;
  who: string;
  what: string;
}

/** One Kubernetes API request as the fake's server saw it. */
export interface Exchange {
  method: string;
  path: string;
  status?: number;
  arrivedAt: number;
  answeredAt?: number;
  /** The client's port: which connection carried it. */
  port: number;
}

/**
 * Listens to the Kubernetes fake's HTTP(S) servers from outside: its connections and requests.
 * The fake keeps its servers private, so they are reached by name here — a benchmark's look, not
 * an API; the fake's own behaviour is untouched (listeners are only added).
 */
export class KubernetesTap {
  readonly exchanges: Exchange[] = [];
  readonly connections: Array<{ port: number; acceptedAt: number; secureAt?: number }> = [];
  /** Each event line a watch stream sent: when, and what (type, kind, name, ready replicas or containers). */
  readonly watchEvents: Mark[] = [];

  constructor(fake: KubernetesFake) {
    const servers = fake as unknown as { http: Server; https: Server };
    for (const server of [servers.http, servers.https]) {
      server.on('connection', (socket: Socket) => this.connections.push({ port: socket.remotePort ?? 0, acceptedAt: Date.now() }));
      server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
        const exchange: Exchange = {
          method: req.method ?? '?',
          path: req.url ?? '',
          arrivedAt: Date.now(),
          port: req.socket.remotePort ?? 0,
        };
        this.exchanges.push(exchange);
        if (/[?&]watch=(true|1)/.test(exchange.path)) this.recordEvents(res, exchange.port);
        res.on('finish', () => {
          exchange.answeredAt = Date.now();
          exchange.status = res.statusCode;
        });
      });
    }
    servers.https.on('secureConnection', (socket: Socket) => {
      const connection = this.connections.findLast((c) => c.port === socket.remotePort);
      if (connection) connection.secureAt = Date.now();
    });
  }

  /** Wraps a watch response's writes: one mark per event line the fake sends. */
  private recordEvents(res: ServerResponse, port: number): void {
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        try {
          const { type, object } = JSON.parse(line);
          const status = object?.status ?? {};
          const ready =
            object?.kind === 'Pod'
              ? `ready ${(status.containerStatuses ?? []).every((c: { ready?: boolean }) => c.ready)}`
              : `readyReplicas ${status.readyReplicas ?? 0}`;
          this.watchEvents.push({
            at: Date.now(),
            who: 'k8s',
            what: `  watch event ${type} ${object?.kind ?? ''} ${object?.metadata?.name ?? ''} (${ready}) on :${port}`,
          });
        } catch {
          // not an event line
        }
      }
      return write(chunk, ...rest);
    }) as typeof res.write;
  }

  marks(from: number, to: number): Mark[] {
    const seen = new Set<number>();
    const marks: Mark[] = [];
    for (const c of this.connections.filter((c) => c.acceptedAt >= from && c.acceptedAt <= to)) {
      marks.push({
        at: c.acceptedAt,
        until: c.secureAt,
        who: 'k8s',
        what: `connection from :${c.port} accepted${c.secureAt ? ' → TLS handshake done' : ''}`,
      });
    }
    for (const e of this.exchanges.filter((e) => e.arrivedAt >= from && e.arrivedAt <= to)) {
      const first = !seen.has(e.port) && this.connections.some((c) => c.port === e.port && c.acceptedAt >= from);
      seen.add(e.port);
      const path = decodeURIComponent(e.path).replace(/\?.*$/, (q) => (q.length > 60 ? `${q.slice(0, 60)}…` : q));
      marks.push({
        at: e.arrivedAt,
        until: e.answeredAt,
        who: 'k8s',
        what: `${e.method} ${path} → ${e.status ?? 'open'} (:${e.port}${first ? ', new' : ''})`,
      });
    }
    marks.push(...this.watchEvents.filter((m) => m.at >= from && m.at <= to));
    return marks;
  }
}
