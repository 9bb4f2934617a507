export * from './readiness';
export * from './health.controller';
export * from './logging';
export * from './observability.module';
