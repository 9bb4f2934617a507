import { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { MessageSchemas } from '@app/contracts';
import { AppConfig, ConfigError, loadAppConfig, ServiceName } from '../config';
import { connectJetStream, ConsumerSpec } from '../messaging';
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
}

/**
 * Starts one deploybot service: validates the configuration (exits 1 naming the problem),
 * boots Nest with JSON logs, attaches the JetStream transport, serves HTTP on PORT and
 * shuts down gracefully on SIGTERM/SIGINT (stop consuming, finish in-flight work, drain).
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const config = orExitOnConfigError(definition.service, () => loadAppConfig(definition.service));
  const module = orExitOnConfigError(definition.service, () => definition.module(config));
  // Until nestjs-pino takes over (and if start-up fails before it does), the same JSON lines.
  const app = await NestFactory.create(module, { bufferLogs: true, logger: startupLogger(definition.service, config.env.LOG_LEVEL) });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  if (definition.consumers?.length || definition.answersQueries) {
    const server = connectJetStream(app, {
      servers: config.env.NATS_URL.split(',').map((s) => s.trim()),
      prefix: config.env.NATS_SUBJECT_PREFIX,
      service: definition.service,
      consumers: definition.consumers,
      schemas: MessageSchemas,
      concurrency: definition.concurrency,
    });
    app.get(ReadinessRegistry).register({ name: 'jetstream-consumer', check: () => server.isReady() });
    await app.startAllMicroservices();
  }
  await app.listen(config.env.PORT, '0.0.0.0');
  app.get(Logger).log(`${definition.service} listening on :${config.env.PORT}`);
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
