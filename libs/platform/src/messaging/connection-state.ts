import { LoggerService } from '@nestjs/common';
import { NatsConnection } from 'nats';

/** Follows the connection's status events; `up` is false while NATS is unreachable. */
export function watchConnection(nc: NatsConnection, logger: LoggerService): { up: boolean } {
  const state = { up: true };
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') {
        if (state.up) logger.warn(`NATS connection lost (${s.type}); reconnecting`);
        state.up = false;
      } else if (s.type === 'reconnect') {
        state.up = true;
        logger.log(`NATS reconnected to ${String(s.data)}`);
      }
    }
    state.up = false;
  })();
  void nc.closed().then(() => (state.up = false));
  return state;
}
