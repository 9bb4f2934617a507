export * from './config-error';
export * from './projects.schema';
export * from './describe-issues';
export * from './projects.loader';
export * from './environment';
export * from './app-config';
export * from './workload.schema';
export * from './project-workload';
