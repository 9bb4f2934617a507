export * from './ensure-database';
export * from './migrate';
export * from './periodic-sweep';
