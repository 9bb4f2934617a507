export * from './envelope';
export * from './common';
export * from './events/inputs';
export * from './events/outcomes';
export * from './events/build-events';
export * from './subjects';
export * from './slack-actions';
export * from './queries';
