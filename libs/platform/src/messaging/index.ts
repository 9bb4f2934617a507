export * from './jetstream.options';
export * from './jetstream.context';
export * from './jetstream.server';
export * from './jetstream.client';
export * from './jetstream.publisher';
export * from './keyed-executor';
export * from './messaging.metrics';
export * from './stream-setup';
