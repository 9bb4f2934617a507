export * from './ensure-database';
