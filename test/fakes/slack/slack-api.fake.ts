import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { checkCondition, type SlackCondition } from './conditions';
import { FaultPlan } from './fault-plan';
import { fail, rateLimited, type MethodAnswer, type SlackBody } from './methods/method-context';
import { METHODS } from './methods/method-table';
import { methodOf, readSlackRequest, type SlackRequest } from './slack-request';
import { sendSlashCommand, showSlashAnswer, slashCommandFields } from './slash-commands';
import { SocketModeEndpoint } from './socket-mode';
import { readViewAnswer, record, sendViewSubmission, viewSubmissionPayload, ViewStore } from './views';
import { eventCallback } from './events-api';
import { HomeViewStore } from './home-views';
import type {
  EphemeralMessage,
  OpenedView,
  PublishedHome,
  RecordedCall,
  SlackFake,
  SlackFakeOptions,
  SlackMessage,
  SlashCommandInput,
  SlashCommandResult,
  SocketDelivery,
  SocketEnvelopeRecord,
  SocketSlashCommandInput,
  SocketViewSubmissionInput,
  ViewSubmissionInput,
  ViewSubmissionResult,
} from './slack-fake.types';
import { waitFor } from './wait-for';
import { isUserId, Workspace } from './workspace';

export const DEFAULT_TOKEN = 'xoxb-test-token';
export const DEFAULT_APP_TOKEN = 'xapp-1-A0DEPLOYBT-1-test-app-token';
const DEFAULT_WAIT_MS = 5000;
/** How long a Socket Mode envelope waits for the app to be connected (Slack holds it while a client reconnects). */
const SOCKET_CONNECTION_WAIT_MS = 10_000;
/** Scopes a bot token for this app would carry; WebClient surfaces them as response_metadata.scopes. */
const SCOPES = 'chat:write,im:write,channels:history,groups:history,im:history';

/**
 * Starts a local HTTP server that speaks Slack's Web API (the methods in `METHODS`) for the
 * real `@slack/web-api` WebClient: `new WebClient(fake.token, { slackApiUrl: fake.apiUrl })`.
 */
export async function startSlackFake(opts: SlackFakeOptions = {}): Promise<SlackFake> {
  const fake = new SlackApiFake(opts);
  await fake.listen(opts.port ?? 0);
  return fake;
}

class SlackApiFake implements SlackFake {
  readonly token: string;
  readonly appToken: string;
  private readonly socketMode: SocketModeEndpoint;
  private readonly ws: Workspace;
  private readonly viewStore = new ViewStore();
  private readonly homeStore = new HomeViewStore();
  private readonly faults = new FaultPlan();
  private recorded: RecordedCall[] = [];
  private readonly server: Server;
  private port = 0;
  private standing: SlackCondition | undefined;

  constructor(private readonly opts: SlackFakeOptions) {
    this.token = opts.token ?? DEFAULT_TOKEN;
    this.ws = new Workspace(opts.channels);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.crash(res, error));
    });
    this.appToken = opts.appToken ?? DEFAULT_APP_TOKEN;
    this.socketMode = new SocketModeEndpoint(
      this.server,
      { appToken: this.appToken, pingIntervalMs: opts.socketPingIntervalMs ?? 5_000 },
      () => `http://127.0.0.1:${this.port}`,
    );
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      // Listening again after a `down` condition: one error listener per listen, removed once up.
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  calls(method?: string): RecordedCall[] {
    return this.recorded.filter((c) => method === undefined || c.method === method).map((c) => structuredClone(c));
  }

  messages(channelOrUser?: string): SlackMessage[] {
    return this.ws.messages(channelOrUser === undefined ? undefined : this.ws.conversationIdOf(channelOrUser));
  }

  thread(channelOrUser: string, ts: string): SlackMessage[] {
    return this.ws.replies(this.ws.conversationIdOf(channelOrUser), ts);
  }

  ephemerals(user?: string): EphemeralMessage[] {
    return this.ws.ephemerals(user);
  }

  views(): OpenedView[] {
    return this.viewStore.views();
  }

  homes(user?: string): PublishedHome[] {
    return this.homeStore.homes(user);
  }

  submitView(input: ViewSubmissionInput): Promise<ViewSubmissionResult> {
    return sendViewSubmission(this.openView(input.viewId), input);
  }

  async socketViewSubmission(
    input: SocketViewSubmissionInput,
    connectionWaitMs = SOCKET_CONNECTION_WAIT_MS,
  ): Promise<ViewSubmissionResult> {
    const view = this.openView(input.viewId);
    const delivery = await this.socketMode.deliver('interactive', viewSubmissionPayload(view, input), connectionWaitMs);
    if (delivery.failure) {
      return record(view, {
        tookMs: delivery.tookMs,
        closed: false,
        failure: delivery.failure === 'no_ack' ? 'operation_timeout' : delivery.failure,
      });
    }
    return record(view, { ...readViewAnswer(delivery.ack), tookMs: delivery.tookMs });
  }

  /** A view a person can still submit: opened here and not closed by an earlier submission. */
  private openView(viewId: string): OpenedView {
    const view = this.viewStore.find(viewId);
    if (!view) throw new Error(`no view ${viewId} was opened (views.open) in the Slack fake`);
    if (view.closedAt !== undefined) throw new Error(`view ${viewId} was closed by an earlier submission`);
    return view;
  }

  slashCommand(input: SlashCommandInput): Promise<SlashCommandResult> {
    return sendSlashCommand(this.ws, input);
  }

  socketInteraction(payload: Record<string, unknown>, connectionWaitMs = SOCKET_CONNECTION_WAIT_MS): Promise<SocketDelivery> {
    return this.socketMode.deliver('interactive', payload, connectionWaitMs);
  }

  async socketSlashCommand(
    input: SocketSlashCommandInput,
    connectionWaitMs = SOCKET_CONNECTION_WAIT_MS,
  ): Promise<SlashCommandResult & { envelopeId: string }> {
    const fields = Object.fromEntries(slashCommandFields(input));
    const delivery = await this.socketMode.deliver('slash_commands', fields, connectionWaitMs);
    const { envelopeId, tookMs, ack, failure } = delivery;
    if (failure) return { envelopeId, tookMs, failure: failure === 'no_ack' ? 'operation_timeout' : failure };
    // A bare ack shows nothing, as an empty 200 does.
    if (!ack || Object.keys(ack).length === 0) return { envelopeId, tookMs };
    return { envelopeId, ...showSlashAnswer(this.ws, input, ack, tookMs) };
  }

  socketEvent(event: Record<string, unknown>, connectionWaitMs = SOCKET_CONNECTION_WAIT_MS): Promise<SocketDelivery> {
    const payload = eventCallback(event);
    return this.socketMode.deliver('events_api', payload, connectionWaitMs);
  }

  socketConnections(): number {
    return this.socketMode.connections();
  }

  socketConnectionsOpened(): number {
    return this.socketMode.connectionsOpened();
  }

  socketEnvelopes(): SocketEnvelopeRecord[] {
    return this.socketMode.envelopes();
  }

  refreshSocketConnections(reason = 'refresh_requested'): void {
    this.socketMode.refresh(reason);
  }

  dropSocketConnections(): void {
    this.socketMode.drop();
  }

  dmChannelOf(userId: string): string {
    if (!isUserId(userId)) throw new Error(`"${userId}" is not a Slack user id (expected U… or W…, e.g. U0123456789)`);
    return this.ws.dmOf(userId);
  }

  rateLimitNext(method: string, times: number, retryAfterSeconds = 1): void {
    // WebClient reads Retry-After with parseInt: whole seconds only; 0 means "retry at once".
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
      throw new Error(`retryAfterSeconds must be a whole number of seconds >= 0, got ${retryAfterSeconds}`);
    }
    this.faults.add(method, { kind: 'ratelimit', retryAfterSeconds }, times);
  }

  failNext(method: string, error: string, times = 1): void {
    this.faults.add(method, { kind: 'error', error }, times);
  }

  answerLateNext(method: string, delayMs: number, times = 1): void {
    if (!Number.isInteger(delayMs) || delayMs < 1) throw new Error(`delayMs must be a positive whole number of ms, got ${delayMs}`);
    this.faults.add(method, { kind: 'late', delayMs }, times);
  }

  condition(): SlackCondition | undefined {
    return this.standing && { ...this.standing };
  }

  async setCondition(condition: SlackCondition | undefined): Promise<void> {
    if (condition) checkCondition(condition);
    const wasDown = this.standing?.kind === 'down';
    this.standing = condition && { ...condition };
    const down = condition?.kind === 'down';
    if (down && !wasDown) await this.closePort();
    if (!down && wasDown) await this.listen(this.port);
  }

  addChannel(id: string, opts: { botIsMember?: boolean } = {}): void {
    this.ws.addChannel(id, opts.botIsMember ?? true);
  }

  waitFor<T>(predicate: () => T | undefined | false, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    return waitFor(predicate, timeoutMs, () => this.recorded);
  }

  reset(): void {
    this.socketMode.forget();
    this.ws.reset();
    this.viewStore.reset();
    this.homeStore.reset();
    this.faults.clear();
    this.recorded = [];
  }

  stop(): Promise<void> {
    this.socketMode.close();
    if (!this.server.listening) return Promise.resolve();
    return this.closePort();
  }

  /** Stops listening and drops every open connection (stop, or a `down` condition). */
  private closePort(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      // WebClient's fetch keeps connections alive; without this close() would wait for them.
      this.server.closeAllConnections();
      // Upgraded (Socket Mode) connections are no longer the server's: they break as well.
      this.socketMode.drop();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = methodOf(req.url);
    if (method === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Not a Slack Web API path: ${req.method} ${req.url}. Call POST ${this.apiUrl}<method>.\n`);
      return;
    }
    const request = await readSlackRequest(req, method);
    const standing = this.standing;
    if (standing?.kind === 'server-error') return this.serverError(request, standing.status, res);
    if (standing?.kind === 'stall' && standing.effect === 'after-delay') await sleep(standing.delayMs);
    const at = Date.now();
    const { answer, delayMs } =
      standing?.kind === 'ratelimit' ? { answer: rateLimited(standing.retryAfterSeconds), delayMs: 0 } : this.answer(request, at);
    const response: SlackBody = answer.status === 429 ? { ok: false, error: 'ratelimited' } : answer.body;
    this.record({ method, args: request.args, response, httpStatus: answer.status, at });
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (answer.status === 429) headers['retry-after'] = String(answer.retryAfterSeconds);
    else if (request.token === this.token) headers['x-oauth-scopes'] = SCOPES;
    const late = delayMs + (standing?.kind === 'stall' && standing.effect !== 'after-delay' ? standing.delayMs : 0);
    if (late) await sleep(late);
    if (res.destroyed) return; // the client gave up waiting; Slack has done the call all the same
    res.writeHead(answer.status, headers);
    res.end(JSON.stringify(response));
  }

  private record(call: RecordedCall): void {
    this.recorded.push(call);
    this.opts.onCall?.(structuredClone(call));
  }

  /** What Slack's edge answers when the API is in trouble: an HTML error page, no effect. */
  private serverError(request: SlackRequest, status: number, res: ServerResponse): void {
    this.record({
      method: request.method,
      args: request.args,
      response: { ok: false, error: `http_${status}` },
      httpStatus: status,
      at: Date.now(),
    });
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<html><body><h1>${status}</h1><p>Slack is having trouble right now.</p></body></html>\n`);
  }

  /**
   * Order of checks: planned faults (a 429 or error fault has no effect), then what Slack
   * checks before running a method (body, method name, token), then the method itself.
   */
  private answer(request: SlackRequest, now: number): { answer: MethodAnswer; delayMs: number } {
    const fault = this.faults.take(request.method);
    if (fault?.kind === 'ratelimit') return { answer: rateLimited(fault.retryAfterSeconds), delayMs: 0 };
    if (fault?.kind === 'error') return { answer: fail(fault.error), delayMs: 0 };
    return { answer: this.run(request, now), delayMs: fault?.kind === 'late' ? fault.delayMs : 0 };
  }

  private run(request: SlackRequest, now: number): MethodAnswer {
    if (request.error) return fail(request.error);
    // The one method that takes the app-level token, and hands out the Socket Mode endpoint's URLs.
    if (request.method === 'apps.connections.open') return this.socketMode.connectionsOpen(request.token, now);
    const entry = METHODS[request.method];
    if (!entry) return { status: 200, body: { ok: false, error: 'unknown_method', req_method: request.method } };
    if (entry.needsToken) {
      if (!request.token) return fail('not_authed');
      if (request.token !== this.token) return fail('invalid_auth');
    }
    const answer = entry.handler(request.args, {
      ws: this.ws,
      views: this.viewStore,
      homes: this.homeStore,
      now,
      postIntervalMs: this.opts.postIntervalMs,
    });
    return answer.status === 200 && request.warnings.length ? withWarnings(answer.body, request.warnings) : answer;
  }

  private crash(res: ServerResponse, error: unknown): void {
    console.error('Slack fake: request handler failed', error);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ ok: false, error: 'fatal_error' }));
  }
}

/** Slack reports request-level warnings twice: `warning` (comma-joined) and response_metadata.warnings. */
function withWarnings(body: SlackBody, warnings: string[]): MethodAnswer {
  const metadata = (body.response_metadata as Record<string, unknown> | undefined) ?? {};
  return {
    status: 200,
    body: { ...body, warning: warnings.join(','), response_metadata: { ...metadata, warnings } },
  };
}
