import { INestApplication } from '@nestjs/common';
import { JetStreamOptions } from './jetstream.options';
import { JetStreamServer } from './jetstream.server';
import { RethrowRpcErrorsFilter } from './rethrow-rpc-errors.filter';

/**
 * Attaches the JetStream transport to a Nest application — the one way services and tests do it.
 * Handler errors must reach the transport unchanged (it decides retry or dead-letter, and
 * `PermanentError` means "dead-letter now"), so the filter that keeps Nest from rewriting them
 * is registered here, before the transport inherits the application's configuration.
 *
 * Shutdown order: Nest's `app.close()` runs every onModuleDestroy and beforeApplicationShutdown
 * hook, closes the HTTP server and only then the transport, then runs onApplicationShutdown.
 * `runService` therefore closes the transport itself first on SIGTERM, so in-flight handlers get
 * the whole grace period before any hook runs; a test calling `app.close()` gets Nest's order.
 */
export function connectJetStream(app: INestApplication, options: JetStreamOptions): JetStreamServer {
  const server = new JetStreamServer(options);
  app.useGlobalFilters(new RethrowRpcErrorsFilter(app.getHttpAdapter()));
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  return server;
}
