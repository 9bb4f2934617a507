import { connect, NatsConnection } from 'nats';

/**
 * Connects with endless reconnects: a NATS restart must not take the service down;
 * readiness reports the outage meanwhile. No async stack traces: the client would
 * capture a stack for every request and publish (≈ 30 % of the gateway's CPU per
 * click, measured); our errors name the subject and the operation instead.
 */
export function connectNats(servers: string[], name: string, timeoutMs: number): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    timeout: timeoutMs,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    pingInterval: 10_000,
    noAsyncTraces: true,
  });
}

/** true while the connection is up (not closed, not reconnecting). */
export function isConnected(nc: NatsConnection | undefined, reconnecting: boolean): boolean {
  return !!nc && !nc.isClosed() && !reconnecting;
}
