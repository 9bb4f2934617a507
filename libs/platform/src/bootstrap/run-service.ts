import { DynamicModule, INestApplication, Logger as NestLogger, ShutdownSignal, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { MessageSchemas } from '@app/contracts';
import { AppConfig, ConfigError, loadAppConfig, natsAuthOf, ServiceName } from '../config';
import { connectJetStream, ConsumerSpec, JetStreamServer } from '../messaging';
import { ReadinessRegistry, startupLogger } from '../observability';

export interface ServiceDefinition {
  service: ServiceName;
  /** The root module, built from the validated configuration. */
  module: (config: AppConfig) => DynamicModule | Type;
  /** JetStream streams this service consumes; omit for a service that only publishes. */
  consumers?: ConsumerSpec[];
  /** Serve `@MessagePattern` queries over NATS (needs the transport even without consumers). */
  answersQueries?: boolean;
  /**
   * Messages handled at once by one instance (default 16). Services whose handlers mostly
   * wait — on a rollout, on Slack's per-channel pacing — take more, so one slow build or
   * one busy channel does not hold up the others.
   */
  concurrency?: number;
  /** The HTTP server Nest runs on (e.g. the gateway's Fastify adapter); Nest's default, Express, when omitted. */
  httpAdapter?: (config: AppConfig) => AbstractHttpAdapter;
}

/**
 * Starts one deploybot service: validates the configuration (exits 1 naming the problem),
 * boots Nest with JSON logs, attaches the JetStream transport, serves HTTP on PORT and
 * shuts down gracefully on SIGTERM/SIGINT (stop consuming, give in-flight work
 * SHUTDOWN_GRACE_SECONDS, signal it to stop, drain; then Nest's own shutdown).
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const config = orExitOnConfigError(definition.service, () => loadAppConfig(definition.service));
  const module = orExitOnConfigError(definition.service, () => definition.module(config));
  // Until nestjs-pino takes over (and if start-up fails before it does), the same JSON lines.
  const options = { bufferLogs: true, logger: startupLogger(definition.service, config.env.LOG_LEVEL) };
  const app = definition.httpAdapter
    ? await NestFactory.create(module, definition.httpAdapter(config), options)
    : await NestFactory.create(module, options);
  app.useLogger(app.get(Logger));

  const server = definition.consumers?.length || definition.answersQueries ? attachTransport(app, definition, config) : undefined;
  shutDownOnSignals(app, server);
  if (server) await app.startAllMicroservices();
  await app.listen(config.env.PORT, '0.0.0.0');
  app.get(Logger).log(`${definition.service} listening on :${config.env.PORT}`);
}

function attachTransport(app: INestApplication, definition: ServiceDefinition, config: AppConfig): JetStreamServer {
  const server = connectJetStream(app, {
    servers: config.env.NATS_URL.split(',').map((s) => s.trim()),
    prefix: config.env.NATS_SUBJECT_PREFIX,
    service: definition.service,
    consumers: definition.consumers,
    schemas: MessageSchemas,
    concurrency: definition.concurrency,
    shutdownTimeoutMs: config.env.SHUTDOWN_GRACE_SECONDS * 1000,
    auth: natsAuthOf(config.env),
    streamReplicas: config.env.NATS_STREAM_REPLICAS,
    retryLaterMaxAgeMs: config.env.RETRY_LATER_MAX_AGE_SECONDS * 1000,
  });
  app.get(ReadinessRegistry).register({ name: 'jetstream-consumer', check: () => server.isReady() });
  return server;
}

/**
 * The transport first, then Nest. Left to itself, Nest's shutdown runs every onModuleDestroy and
 * beforeApplicationShutdown hook, closes the HTTP server and only then the transport, so
 * in-flight handlers would lose what those hooks tear down before their grace period even began.
 * Closing the transport first gives them the whole of SHUTDOWN_GRACE_SECONDS with everything
 * still up (readiness reports not ready meanwhile). The same signals as `enableShutdownHooks`;
 * a second signal of the same kind ends the process at once.
 */
function shutDownOnSignals(app: INestApplication, server: JetStreamServer | undefined): void {
  const shutDown = async (signal: NodeJS.Signals) => {
    try {
      await server?.close();
      await app.close();
    } catch (error) {
      new NestLogger('Shutdown').error(`shutdown failed: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    }
    process.kill(process.pid, signal); // no listener left for it: the default action ends the process
  };
  for (const signal of Object.values(ShutdownSignal)) process.once(signal, shutDown);
}

/** Runs a start-up step; a ConfigError is printed as it is (no stack trace) and ends the process with 1. */
function orExitOnConfigError<T>(service: ServiceName, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`deploybot ${service}: ${error.message}\n`);
    process.exit(1);
  }
}
