import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import type { ApiRequest, ApiResponse, HandlerContext } from './api-request';
import { dispatch, parseResourcePath, routeNonResource } from './api-router';
import { checkCondition, conditionError, type KubernetesCondition } from './conditions';
import { FailureInjection, type FailureMatch, type InjectedStatusCode } from './failure-injection';
import { collectGarbage } from './garbage-collector';
import { ImageBehaviors, type ImageBehavior, type ImageBehaviorOptions } from './image-behaviors';
import { FakeImageRegistry, type ImageRegistry } from './image-registry';
import { kubeconfigYaml } from './kubeconfig';
import { isPlainObject, type StoredObject } from './object-meta';
import { ObjectStore } from './object-store';
import { Kubelet } from './pod-lifecycle';
import { findByKindName, Types } from './resource-types';
import { RolloutSimulator } from './rollout-simulator';
import { selfSignedCert } from './self-signed-cert';
import { ApiError, badRequest, internalError, pathNotFound, unauthorized, unsupportedMediaType } from './status-errors';
import { Timers } from './timers';
import type { WatchStream } from './watch-stream';

/** Options of {@link startKubernetesFake}. */
export interface KubernetesFakeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Bearer token every request must carry (401 Status otherwise); random when omitted. */
  token?: string;
  /** Multiplies every simulated duration (pod readiness, back-offs, progress deadlines); tests use small values. */
  timeScale?: number;
  /** How long a good pod takes to become Ready, before timeScale (default 300). */
  podReadyAfterMs?: number;
  /** How often a watch that allows bookmarks gets one (default 60,000, about what the apiserver does; not scaled). */
  watchBookmarkIntervalMs?: number;
}

/** One request as the fake received it, for assertions. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** JSON (or, for apply patches, YAML) parsed; the raw text when it did not parse. */
  body?: unknown;
  userAgent?: string;
}

/** A running fake Kubernetes API server (see README.md in this folder). */
export interface KubernetesFake {
  /** http://127.0.0.1:<port>. The same port also speaks TLS: see httpsUrl. */
  url: string;
  /** https://127.0.0.1:<port> with a throwaway self-signed certificate (skip TLS verification). */
  httpsUrl: string;
  token: string;
  /** Written with httpsUrl, because kubectl sends tokens only over TLS; client-node accepts it with skipTLSVerify. */
  writeKubeconfig(path: string): void;
  kubeConfigYaml(): string;
  /** Everything stored: Deployments, ReplicaSets, Pods, Services, Ingresses, Mappings… */
  objects(): StoredObject[];
  /** `kind` may be a Kind ("Deployment"), plural ("deployments") or short name ("deploy"). */
  get(kind: string, namespace: string, name: string): any | undefined;
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** The next `times` (default 1) matching requests get a real Status error with this code. */
  failNext(match: FailureMatch, status: InjectedStatusCode, times?: number): void;
  /** While on, connections are closed at once, as if the API server were unreachable. */
  setUnavailable(on: boolean): void;
  /**
   * Puts a standing condition in force until it is replaced or lifted (`undefined`): every request
   * stalls or gets a 5xx Status, or the port refuses connections (`refused`, open watches cut).
   * Resolves once the port is closed or listening again.
   */
  setCondition(condition: KubernetesCondition | undefined): Promise<void>;
  /** The condition in force, if any. */
  condition(): KubernetesCondition | undefined;
  /** Watch streams open now. */
  openWatches(): number;
  /** Ends every open watch cleanly, as at its timeoutSeconds; returns how many. */
  closeWatches(): number;
  /** Drops the connection of every open watch (a reset: an apiserver restart, a load balancer); returns how many. */
  cutWatches(): number;
  /** Sends every open watch ERROR 410 Expired and ends it (a watcher the apiserver can no longer serve); returns how many. */
  expireWatches(): number;
  /** Sends every open watch that allows bookmarks a BOOKMARK at the current resourceVersion. */
  sendBookmarks(): void;
  /** Every open watch goes silent and stays open (a proxy or a stuck apiserver holding the stream); returns how many. */
  holdWatches(): number;
  /** Forgets the change history (etcd compaction): a watch from any earlier resourceVersion gets 410 Expired. */
  compact(): void;
  /** Overrides how pods with this image (exact reference, any tag of it, or a pattern) behave. */
  setImageBehavior(image: string | RegExp, behavior: ImageBehavior, options?: ImageBehaviorOptions): void;
  /**
   * The image registry the simulated nodes pull from. A container that starts reports
   * `imageID: <repository>@sha256:<hex>` with the digest its reference resolved to at that moment:
   * `registry.push('registry.example.com/shop/web:1')` moves the tag for pods created afterwards,
   * running pods keep the digest they pulled. Containers that never start (pull back-off, config error) have `imageID: ""`.
   */
  readonly registry: ImageRegistry;
  stop(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const parseBody = (text: string, contentType: string): unknown => {
  if (!text) return undefined;
  // kubectl's typed commands (create, scale…) send protobuf; the fake speaks JSON and YAML only.
  if (contentType.includes('protobuf') || contentType.includes('cbor'))
    throw unsupportedMediaType(contentType, ['application/json', 'application/yaml']);
  try {
    return contentType === 'application/apply-patch+yaml' || contentType === 'application/yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
};

const send = (res: ServerResponse, { code, body }: ApiResponse): void => {
  // Like the apiserver: compact JSON plus a trailing newline.
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(code, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
};

class KubernetesApiFake implements KubernetesFake {
  url = '';
  httpsUrl = '';
  readonly token: string;
  private readonly server: Server;
  private readonly http: HttpServer;
  private readonly https: HttpServer;
  private readonly store = new ObjectStore();
  private readonly timers = new Timers();
  private readonly behaviors = new ImageBehaviors();
  readonly registry = new FakeImageRegistry();
  private readonly failures = new FailureInjection();
  private readonly simulator: RolloutSimulator;
  private readonly sockets = new Set<Socket>();
  private readonly recorded: RecordedRequest[] = [];
  private readonly watches = new Set<WatchStream>();
  private readonly ctx: HandlerContext;
  private unavailable = false;
  private standing: KubernetesCondition | undefined;
  private port = 0;
  private nextClusterIp = 10;

  constructor(options: KubernetesFakeOptions) {
    this.token = options.token ?? `fake-${randomBytes(12).toString('hex')}`;
    const timeScale = options.timeScale ?? 1;
    this.ctx = {
      store: this.store,
      defaulting: { allocateClusterIp: () => `10.96.${Math.floor(this.nextClusterIp / 250)}.${this.nextClusterIp++ % 250}` },
      watch: { bookmarkIntervalMs: options.watchBookmarkIntervalMs ?? 60_000 },
    };
    this.simulator = new RolloutSimulator(this.store, this.timers, timeScale);
    const kubelet = new Kubelet(
      this.store,
      this.behaviors,
      { timeScale, podReadyAfterMs: options.podReadyAfterMs ?? 300 },
      this.timers,
      this.registry,
    );
    this.store.subscribe((event) => collectGarbage(this.store, event));
    this.store.subscribe((event) => kubelet.onEvent(event));
    this.store.subscribe((event) => this.simulator.onEvent(event));
    for (const name of ['default', 'kube-system'])
      this.store.create(Types.namespace, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.http = createHttpServer(handler);
    this.https = createHttpsServer(selfSignedCert(), handler);
    // One port, two protocols: a TLS ClientHello starts with byte 0x16, plain HTTP with a method name.
    this.server = createNetServer((socket: Socket) => {
      if (this.unavailable) return void socket.destroy();
      // As the API server (Go's net/http) does: no Nagle. Handed over by hand below, the socket
      // would keep it on, and a watch event written right after the headers would wait for the
      // client's delayed ACK (≈ 40 ms; measured with bench/e2e/timeline.ts).
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.once('data', (chunk: Buffer) => {
        socket.pause();
        socket.unshift(chunk);
        (chunk[0] === 0x16 ? this.https : this.http).emit('connection', socket);
        process.nextTick(() => socket.resume());
      });
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      // Listening again after a `refused` condition: one error listener per listen, removed once up.
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    this.port = actualPort;
    this.url = `http://127.0.0.1:${actualPort}`;
    this.httpsUrl = `https://127.0.0.1:${actualPort}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const standing = this.standing;
      if (standing?.kind === 'stall') await new Promise((resolve) => setTimeout(resolve, standing.delayMs));
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = (req.method ?? 'GET').toUpperCase();
      const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const text = await readBody(req);
      const record: RecordedRequest = {
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: contentType || undefined,
        userAgent: req.headers['user-agent'],
      };
      this.recorded.push(record);
      try {
        record.body = parseBody(text, contentType);
      } catch (err) {
        record.body = text;
        throw err;
      }
      if (standing?.kind === 'server-error') throw conditionError(standing.status);
      if (req.headers.authorization !== `Bearer ${this.token}`) throw unauthorized();
      const target = parseResourcePath(url.pathname);
      const bodyName =
        isPlainObject(record.body) && isPlainObject(record.body.metadata) ? String(record.body.metadata.name ?? '') : undefined;
      const injected = this.failures.take(method, url.pathname, target, url.searchParams, bodyName || undefined);
      if (injected) throw injected;
      if (['/healthz', '/readyz', '/livez'].includes(url.pathname)) return send(res, { code: 200, body: 'ok' });
      if (!target)
        return send(res, routeNonResource(url.pathname, req.headers.host ?? '127.0.0.1') ?? { code: 404, body: pathNotFound().status });
      const request: ApiRequest = {
        method,
        ...target,
        query: url.searchParams,
        contentType,
        body: record.body,
        userAgent: String(req.headers['user-agent'] ?? ''),
        accept: String(req.headers.accept ?? ''),
      };
      const result = dispatch(this.ctx, request, target, res);
      if ('code' in result) send(res, result);
      else if (!res.writableEnded) {
        this.watches.add(result);
        res.on('close', () => this.watches.delete(result));
      }
    } catch (err) {
      const status = err instanceof ApiError ? err.status : internalError((err as Error).message).status;
      if (!res.headersSent) send(res, { code: status.code, body: status });
      else res.destroy();
    }
  }

  writeKubeconfig(path: string): void {
    writeFileSync(path, this.kubeConfigYaml(), { mode: 0o600 });
  }

  kubeConfigYaml(): string {
    return kubeconfigYaml(this.httpsUrl, this.token);
  }

  objects(): StoredObject[] {
    return this.store.entries().map((e) => e.object);
  }

  get(kind: string, namespace: string, name: string): any | undefined {
    const resource = findByKindName(kind);
    if (!resource)
      throw new Error(
        `the Kubernetes fake does not serve kind "${kind}" (try Deployment, Pod, ReplicaSet, Service, Ingress, Mapping, Lease)`,
      );
    return this.store.get(resource, namespace, name);
  }

  requests(): RecordedRequest[] {
    return this.recorded.map((r) => ({ ...r }));
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  failNext(match: FailureMatch, status: InjectedStatusCode, times = 1): void {
    this.failures.add(match, status, times);
  }

  setUnavailable(on: boolean): void {
    this.unavailable = on;
    if (on) for (const socket of this.sockets) socket.destroy();
  }

  condition(): KubernetesCondition | undefined {
    return this.standing && { ...this.standing };
  }

  async setCondition(condition: KubernetesCondition | undefined): Promise<void> {
    if (condition) checkCondition(condition);
    const wasRefused = this.standing?.kind === 'refused';
    this.standing = condition && { ...condition };
    const refused = condition?.kind === 'refused';
    if (refused && !wasRefused) await this.closePort();
    if (!refused && wasRefused) await this.listen(this.port);
  }

  private closePort(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }

  setImageBehavior(image: string | RegExp, behavior: ImageBehavior, options?: ImageBehaviorOptions): void {
    this.behaviors.set(image, behavior, options);
  }

  openWatches(): number {
    return this.watches.size;
  }

  closeWatches(): number {
    return this.endWatches((w) => w.close());
  }

  cutWatches(): number {
    return this.endWatches((w) => w.cut());
  }

  expireWatches(): number {
    return this.endWatches((w) => w.expire());
  }

  sendBookmarks(): void {
    for (const watch of this.watches) watch.bookmark();
  }

  holdWatches(): number {
    for (const watch of this.watches) watch.hold();
    return this.watches.size;
  }

  compact(): void {
    this.store.compact();
  }

  private endWatches(end: (watch: WatchStream) => void): number {
    const open = [...this.watches];
    this.watches.clear();
    for (const watch of open) end(watch);
    return open.length;
  }

  async stop(): Promise<void> {
    this.timers.stop();
    this.simulator.stop();
    this.store.clear();
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts a fake Kubernetes API server on 127.0.0.1; see {@link KubernetesFake}. */
export async function startKubernetesFake(options: KubernetesFakeOptions = {}): Promise<KubernetesFake> {
  const fake = new KubernetesApiFake(options);
  await fake.listen(options.port ?? 0);
  return fake;
}
