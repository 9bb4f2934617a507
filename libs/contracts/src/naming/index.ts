export * from './dns-label';
export * from './preview-url';
