import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LogLevel, SocketModeClient } from '@slack/socket-mode';
import type { Logger as SlackLogger } from '@slack/socket-mode';
import { APP_CONFIG, ReadinessRegistry } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { SocketEnvelopes } from './socket-envelopes.service';
import { SocketModeMetrics } from './socket-mode.metrics';

/** What `/readyz` shows under `states.slack-socket` when Socket Mode is on. */
export type SocketState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** How long shutdown waits for the close handshake before it lets the connection go. */
const CLOSE_WAIT_MS = 2_000;
/** Every Web API call has a timeout: `apps.connections.open` included. */
const WEB_API_TIMEOUT_MS = 10_000;
/** Errors of `apps.connections.open` no retry mends: the token or the app needs a person. */
const REFUSED_FOR_GOOD = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'team_disabled',
  'not_allowed_token_type',
]);

/**
 * Socket Mode: when SLACK_APP_TOKEN is set, opens the connection Slack delivers interactions, slash
 * commands and events on (no public URL needed) with the real `@slack/socket-mode` client, hands
 * every envelope to SocketEnvelopes and acknowledges it with what they answer. A lost connection is
 * opened again here (the client's own reconnects are off: they wait 5 s even when Slack asked for a
 * refresh, and a failed retry of theirs is an unhandled rejection): at once after Slack's
 * `disconnect` message, else after socketReconnectDelayMs, doubling to socketReconnectMaxDelayMs
 * while tries fail, for as long as it takes. The state shows in `/readyz` (not gating readiness:
 * an unready pod would stop CI's webhooks and mend nothing) and in the metrics. Without the token
 * nothing is opened and nothing changes. The only file that imports `@slack/socket-mode`.
 */
@Injectable()
export class SlackSocket implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SlackSocketMode');
  private client: SocketModeClient | undefined;
  private current: SocketState = 'connecting';
  private connectedBefore = false;
  private closing = false;
  /** A connect loop is running: a disconnect seen meanwhile is its own failed try. */
  private connecting = false;
  /** Slack sent `disconnect` (a refresh): the next connection is opened without waiting. */
  private refreshRequested = false;
  private wait: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly envelopes: SocketEnvelopes,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** The connection's state, or `off` without SLACK_APP_TOKEN. */
  state(): SocketState | 'off' {
    return this.client ? this.current : 'off';
  }

  onApplicationBootstrap(): void {
    const appToken = this.config.env.SLACK_APP_TOKEN;
    if (!appToken) return;
    this.client = new SocketModeClient({
      appToken,
      logger: slackLogger(this.logger, this.config.env.LOG_LEVEL),
      // One try per call: the loop below waits and tries again, so a retry never outlives shutdown.
      clientOptions: { slackApiUrl: this.config.env.SLACK_API_URL, timeout: WEB_API_TIMEOUT_MS, retryConfig: { retries: 0 } },
      autoReconnectEnabled: false,
      clientPingTimeout: this.options.socketPingTimeoutMs,
      serverPingTimeout: this.options.socketServerPingTimeoutMs,
    });
    this.readiness.show({ name: 'slack-socket', state: () => this.current });
    this.client.on('connected', () => this.connected());
    this.client.on('ws_message', (data: unknown) => this.noteRefresh(data));
    this.client.on('disconnected', () => this.lost());
    this.client.on('slack_event', (event: ClientEvent) => void this.serve(event));
    this.logger.log({
      msg: 'Socket Mode on (SLACK_APP_TOKEN): opening the connection to Slack',
      slackApiUrl: this.config.env.SLACK_API_URL,
    });
    // Not awaited: the gateway serves CI whether or not Slack can be reached right now.
    void this.connect(false);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client || this.closing) return;
    this.closing = true;
    this.current = 'closed';
    SocketModeMetrics.connected.set(0);
    if (this.wait) {
      clearTimeout(this.wait.timer);
      this.wait.resolve();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.disconnect().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Opens the connection, trying again until it is open or the gateway stops. */
  private async connect(afterLoss: boolean): Promise<void> {
    if (!this.client || this.connecting) return;
    this.connecting = true;
    let delay = this.options.socketReconnectDelayMs;
    let waitFirst = afterLoss && !this.refreshRequested;
    this.refreshRequested = false;
    try {
      while (!this.closing) {
        if (waitFirst) {
          await this.sleep(delay);
          delay = Math.min(delay * 2, this.options.socketReconnectMaxDelayMs);
          if (this.closing) return;
        }
        waitFirst = true;
        try {
          await this.client.start(); // resolves on Slack's hello
          return;
        } catch (error) {
          this.tryFailed(error, delay);
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private connected(): void {
    this.current = 'connected';
    SocketModeMetrics.connected.set(1);
    if (this.connectedBefore) {
      SocketModeMetrics.reconnects.inc();
      this.logger.log({ msg: 'Socket Mode connection open again' });
    } else {
      this.logger.log({ msg: 'Socket Mode connection open: Slack delivers interactions and slash commands here' });
    }
    this.connectedBefore = true;
  }

  /** The connection closed: dropped, refreshed by Slack, or a try that did not get through. */
  private lost(): void {
    if (this.closing || this.connecting) return;
    if (this.current === 'connected') {
      this.logger.warn({
        msg: this.refreshRequested
          ? 'Slack asked to refresh the Socket Mode connection; opening a new one'
          : 'Socket Mode connection lost; opening a new one',
      });
    }
    this.current = 'reconnecting';
    SocketModeMetrics.connected.set(0);
    void this.connect(true);
  }

  private tryFailed(error: unknown, nextDelayMs: number): void {
    const code = (error as { data?: { error?: string } }).data?.error;
    SocketModeMetrics.connected.set(0);
    if (code && REFUSED_FOR_GOOD.has(code)) {
      if (this.current !== 'failed') {
        this.logger.error({
          msg:
            'Slack refused SLACK_APP_TOKEN: Socket Mode is down until the token is fixed ' +
            '(an app-level xapp- token with connections:write, Socket Mode enabled in the app); ' +
            'Slack requests over HTTP are still served; trying again',
          slackError: code,
          retryInMs: nextDelayMs,
        });
      }
      this.current = 'failed';
      return;
    }
    this.logger.warn({
      msg: 'could not open the Socket Mode connection; trying again',
      reason: code ?? (error as Error)?.message,
      retryInMs: nextDelayMs,
    });
    this.current = this.connectedBefore ? 'reconnecting' : 'connecting';
  }

  private noteRefresh(data: unknown): void {
    const text =
      typeof data === 'string'
        ? data
        : data instanceof ArrayBuffer || ArrayBuffer.isView(data)
          ? Buffer.from(data as Uint8Array).toString()
          : '';
    if (text.includes('"disconnect"')) {
      try {
        if ((JSON.parse(text) as { type?: unknown }).type === 'disconnect') this.refreshRequested = true;
      } catch {
        // not a message the client reads either
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wait = undefined;
        resolve();
      }, ms);
      this.wait = { timer, resolve };
    });
  }

  private async serve(event: ClientEvent): Promise<void> {
    const payload = await this.envelopes.handle({
      envelopeId: event.envelope_id,
      type: event.type,
      payload: event.body,
      ...(typeof event.retry_num === 'number' ? { retryAttempt: event.retry_num } : {}),
    });
    try {
      await event.ack(payload);
    } catch (error) {
      // The connection went away before the ack: Slack sends the envelope again on the next one.
      this.logger.warn({
        msg: 'could not acknowledge a Socket Mode envelope',
        envelopeId: event.envelope_id,
        reason: (error as Error).message,
      });
    }
  }
}

/** What `@slack/socket-mode` hands its `slack_event` listeners. */
interface ClientEvent {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  type: string;
  body: unknown;
  retry_num?: number;
}

/**
 * The client's own log lines, in the service's JSON log. Its errors are about a connection this
 * adapter opens again, so they are warnings; a token Slack refuses is logged as an error above.
 */
function slackLogger(logger: Logger, level: string): SlackLogger {
  const text = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => logger.debug({ msg: text(msg) }),
    info: (...msg: unknown[]) => logger.log({ msg: text(msg) }),
    warn: (...msg: unknown[]) => logger.warn({ msg: text(msg) }),
    error: (...msg: unknown[]) => logger.warn({ msg: text(msg) }),
    setLevel: () => undefined,
    getLevel: () => (level === 'debug' || level === 'trace' ? LogLevel.DEBUG : LogLevel.INFO),
    setName: () => undefined,
  };
}
