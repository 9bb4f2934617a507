import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@app/platform';
import { DataSource } from 'typeorm';
import { BuildInputsService } from './commands/build-inputs.service';
import { CommandPath } from './commands/command-path';
import { COMMAND_PATH } from './commands/command-path.provider';
import { InputsController } from './commands/inputs.controller';
import { EventLogLifecycle } from './database/event-log-lifecycle';
import { EVENT_LOG, eventLogProvider } from './database/event-log.provider';
import { PostgresReadiness } from './database/postgres-readiness';
import { PostgresEventStore } from './event-store/event-store';
import { BuildQueriesController } from './projections/build-queries.controller';
import { StatusQueriesController } from './projections/status-queries.controller';
import { PersonHomeController } from './projections/person-home.controller';
import { EventRelayService } from './relay/event-relay.service';
import { DeadlineScheduler } from './deadlines/deadline-scheduler';
import { DeadLettersController } from './deadlines/dead-letters.controller';
import { APPROVALS_OPTIONS, ApprovalsOptions, DEFAULT_APPROVALS_OPTIONS } from './approvals.options';
import { RetentionService } from './retention/retention.service';

/** Wiring only: the event log, the command path, the inputs and queries, the deadlines, the relay, and the retention sweep. */
@Module({})
export class ApprovalsModule {
  static register(config: AppConfig, options: ApprovalsOptions = DEFAULT_APPROVALS_OPTIONS): DynamicModule {
    const deadlines = { rolloutTimeoutMs: config.env.ROLLOUT_TIMEOUT_SECONDS * 1000, graceMs: config.env.DEADLINE_GRACE_SECONDS * 1000 };
    return {
      module: ApprovalsModule,
      imports: [PlatformModule.forRoot(config)],
      controllers: [InputsController, BuildQueriesController, StatusQueriesController, PersonHomeController, DeadLettersController],
      providers: [
        eventLogProvider,
        { provide: PostgresEventStore, useValue: new PostgresEventStore() },
        {
          provide: COMMAND_PATH,
          inject: [EVENT_LOG, PostgresEventStore],
          useFactory: (db: DataSource, store: PostgresEventStore) => new CommandPath(db, store, deadlines),
        },
        { provide: APPROVALS_OPTIONS, useValue: options },
        DeadlineScheduler,
        BuildInputsService,
        PostgresReadiness,
        EventRelayService,
        EventLogLifecycle,
        RetentionService,
      ],
      exports: [EVENT_LOG, COMMAND_PATH, EventRelayService],
    };
  }
}
