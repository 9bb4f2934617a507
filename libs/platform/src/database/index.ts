export * from './ensure-database';
export * from './migrate';
