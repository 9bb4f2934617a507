export * from './dead-letter';
export * from './dead-letter-store';
export * from './dead-letter-audit';
export * from './dead-letter-actions';
export * from './dead-letters.metrics';
export * from './replay-headers';
