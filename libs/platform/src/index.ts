export * from './config';
export * from './messaging';
export * from './observability';
export * from './bootstrap';
export * from './database';
