import { Logger, Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ensureDatabase, redact } from '@app/platform';
import { openEventLog } from '../event-store/event-log.data-source';

/** DI token of the approvals DataSource (event log, command tables, read models). */
export const EVENT_LOG = Symbol('EVENT_LOG');

/** Creates the database if needed, connects and runs the migrations before anything else starts. */
export const eventLogProvider: Provider = {
  provide: EVENT_LOG,
  inject: [APP_CONFIG],
  useFactory: async (config: AppConfig) => {
    const url = config.env.DATABASE_URL;
    await ensureDatabase(url);
    const dataSource = await openEventLog(url);
    new Logger('EventLog').log(`event log ready at ${redact(url)} (migrations applied)`);
    return dataSource;
  },
};
