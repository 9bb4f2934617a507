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

/**
 * Socket Mode: when SLACK_APP_TOKEN is set, opens the connection Slack delivers interactions, slash
 * commands and events on (no public URL needed) with the real `@slack/socket-mode` client, hands
 * every envelope to SocketEnvelopes and acknowledges it with what they answer. The client opens a
 * lost or refreshed connection again by itself (`apps.connections.open`, then the new URL); the
 * state shows in `/readyz` (not gating readiness: an unready pod would stop CI's webhooks and mend
 * nothing) and in the metrics. Without the token nothing is opened and nothing changes.
 * The only file that imports `@slack/socket-mode`.
 */
@Injectable()
export class SlackSocket implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SlackSocketMode');
  private client: SocketModeClient | undefined;
  private current: SocketState = 'connecting';
  private connectedBefore = false;
  private closing = false;

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
      clientOptions: { slackApiUrl: this.config.env.SLACK_API_URL, timeout: WEB_API_TIMEOUT_MS },
      clientPingTimeout: this.options.socketPingTimeoutMs,
      serverPingTimeout: this.options.socketServerPingTimeoutMs,
    });
    this.readiness.show({ name: 'slack-socket', state: () => this.current });
    this.client.on('connected', () => this.connected());
    // 'close' comes at once when a connection is lost; 'reconnecting' only once the client tries again.
    this.client.on('close', () => this.lost());
    this.client.on('reconnecting', () => this.lost());
    this.client.on('slack_event', (event: ClientEvent) => void this.serve(event));
    this.logger.log({
      msg: 'Socket Mode on (SLACK_APP_TOKEN): opening the connection to Slack',
      slackApiUrl: this.config.env.SLACK_API_URL,
    });
    // Not awaited: the gateway serves CI whether or not Slack can be reached right now.
    this.client.start().catch((error: unknown) => this.failed(error));
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client || this.closing) return;
    this.closing = true;
    this.current = 'closed';
    SocketModeMetrics.connected.set(0);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.disconnect().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
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

  private lost(): void {
    if (this.closing || this.current === 'failed') return;
    if (this.current === 'connected') this.logger.warn({ msg: 'Socket Mode connection lost or refreshed by Slack; opening a new one' });
    this.current = 'reconnecting';
    SocketModeMetrics.connected.set(0);
  }

  private failed(error: unknown): void {
    if (this.closing) return;
    this.current = 'failed';
    SocketModeMetrics.connected.set(0);
    const code = (error as { data?: { error?: string } }).data?.error;
    this.logger.error({
      msg:
        'Socket Mode could not start: Slack refused SLACK_APP_TOKEN or apps.connections.open failed for good ' +
        '(check the token is the app-level xapp- token with connections:write and Socket Mode is enabled in the app); ' +
        'Slack requests over HTTP are still served',
      slackError: code ?? (error as Error).message,
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
 * The client's own log lines, in the service's JSON log. Its errors are about connections it opens
 * again by itself, so they are warnings; a start that fails for good is logged as an error above.
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
