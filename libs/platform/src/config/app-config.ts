import { Environment, loadEnvironment, ServiceName } from './environment';
import { loadProjects, Projects } from './projects.loader';

/** Everything a service is configured with: the environment and the projects file. */
export interface AppConfig {
  env: Environment;
  projects: Projects;
}

/** DI token of the AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Loads and validates the whole configuration of one service, or throws ConfigError. */
export function loadAppConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const environment = loadEnvironment(service, env);
  return { env: environment, projects: loadProjects(environment.DEPLOYBOT_CONFIG) };
}
