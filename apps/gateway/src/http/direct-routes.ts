import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { GatewayMetrics } from '../http-metrics/gateway-metrics';
import { errorAnswer } from './gateway-exception.filter';
import { Refusal } from './refusal';

/** A POST to one of the webhooks, its body read in full (within the body limit). */
export interface DirectRequest {
  /** The route's path as registered, e.g. `/build-complete`. */
  route: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A header's value as one string: Node joins repeated headers with ", ", and keeps an array only for a few (set-cookie). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** What the caller gets: a status, a JSON body when there is one, and headers. */
export interface DirectAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A webhook served by DirectRoutes. Refuses by throwing a Refusal. */
export interface DirectRoute {
  /** The paths it answers POSTs on. */
  readonly paths: readonly string[];
  handle(request: DirectRequest): Promise<DirectAnswer>;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Serves the gateway's two webhooks, `POST /build-complete` and `POST /slack/interactions`,
 * straight from Node's HTTP server, in front of Nest's Express stack; every other request
 * (status queries, health, metrics, and any other method on these paths) goes on to Nest.
 *
 * Why: these are the routes under load (every click, every CI run) and their work is
 * small — read a body, check a secret, validate, publish to JetStream, answer. Through
 * Express, Nest's router and pino-http a click cost more than twice the CPU Bolt needs for
 * it (616–681 against ≈ 290 µs, docs/gateway.md); here it costs what the work costs. They
 * keep what the stack gave them: the body limit (413), one JSON error shape, the HTTP
 * metrics, one log line per refusal.
 */
@Injectable()
export class DirectRoutes implements OnApplicationBootstrap {
  private readonly logger = new Logger('Gateway');
  private readonly routes = new Map<string, { path: string; route: DirectRoute }>();
  private installed = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
  ) {}

  /** Called by each webhook's module while the application initialises. */
  register(route: DirectRoute): void {
    for (const path of route.paths) this.routes.set(path.toLowerCase(), { path, route });
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server || this.installed) return;
    this.installed = true;
    const nest = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const match = request.method === 'POST' ? this.routes.get(pathOf(request.url)) : undefined;
      if (match) this.serve(match.path, match.route, request, response).catch((error: unknown) => this.failed(match.path, response, error));
      else for (const listener of nest) listener.call(server, request, response);
    });
    this.logger.log(`Serving {${[...this.routes.values()].map((r) => r.path).join(', ')}, POST} in front of Nest`);
  }

  private async serve(path: string, route: DirectRoute, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let answer: DirectAnswer;
    try {
      const body = await readBody(request, this.options.bodyLimitBytes);
      answer = await route.handle({ route: path, headers: request.headers, body });
    } catch (error) {
      if (error instanceof ClientGone) return void request.destroy();
      answer = this.refusalAnswer(path, error);
    }
    send(response, answer);
    GatewayMetrics.recordRequest(path, 'POST', answer.status, Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** Answering itself failed (it should not): the caller gets a closed connection, the log the reason. */
  private failed(path: string, response: ServerResponse, error: unknown): void {
    this.logger.error({ msg: 'could not answer a request', route: path, err: error });
    response.destroy();
  }

  /** Answered as the Nest routes answer errors (GatewayExceptionFilter); a refusal is logged once, anything else as an error. */
  private refusalAnswer(path: string, error: unknown): DirectAnswer {
    const answer = errorAnswer(error);
    if (error instanceof Refusal) {
      const reason = error.cause instanceof Error ? error.cause.message : undefined;
      this.logger.warn({ msg: 'request refused', route: path, status: answer.status, ...answer.body, ...(reason ? { reason } : {}) });
    } else {
      this.logger.error({ msg: 'unexpected error while answering a request', route: path, err: error });
    }
    return answer;
  }
}

/** The path of a request target, lower-cased (Express matches paths without case), without a trailing slash. */
function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  const path = (query === -1 ? raw : raw.slice(0, query)).toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The client hung up before its body arrived: there is no one to answer. */
class ClientGone extends Error {}

const tooLarge = (limit: number) => new Refusal(413, { error: 'payload too large', message: `the request body is larger than ${limit} bytes` }, { Connection: 'close' });

/** Reads the whole body, refusing (413) as soon as it is known to exceed the limit. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      request.off('data', onData);
      reject(tooLarge(limit));
    };
    request.on('data', onData);
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    request.once('error', () => reject(new ClientGone()));
  });
}

function send(response: ServerResponse, answer: DirectAnswer): void {
  if (response.headersSent || response.destroyed) return;
  const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
  const type: Record<string, string> = body ? { 'Content-Type': 'application/json; charset=utf-8' } : {};
  response.writeHead(answer.status, { ...answer.headers, ...type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
