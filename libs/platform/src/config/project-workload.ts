import type { Environment } from '@app/contracts';
import type {
  EnvFromSource,
  EnvironmentOverrides,
  EnvValue,
  ProbeConfig,
  ResourcesConfig,
  SecurityContextConfig,
  WorkloadFields,
} from './workload.schema';

/** What the workload settings of a project are resolved from (a ProjectConfig). */
export interface WorkloadSource extends WorkloadFields {
  namespace: string;
  previewNamespace: string;
  replicas: number;
  resources?: ResourcesConfig;
  environments?: { preview?: EnvironmentOverrides; production?: EnvironmentOverrides };
}

/** The security context with every default filled in. */
export type ResolvedSecurityContext = SecurityContextConfig & {
  runAsNonRoot: boolean;
  allowPrivilegeEscalation: boolean;
  capabilities: { add?: string[]; drop?: string[] };
  seccompProfile: NonNullable<SecurityContextConfig['seccompProfile']>;
};

/** How one environment of a project runs: the project's settings with the environment's overrides applied. */
export interface Workload {
  namespace: string;
  replicas: number;
  resources?: ResourcesConfig;
  env: Record<string, EnvValue>;
  envFrom: EnvFromSource[];
  command?: string[];
  args?: string[];
  readinessProbe?: ProbeConfig;
  livenessProbe?: ProbeConfig;
  securityContext: ResolvedSecurityContext;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * The defaults pass the "restricted" Pod Security Standard, so workloads run in namespaces that
 * enforce it. A project loosens them by setting the field (e.g. `runAsNonRoot: false`).
 */
export const RESTRICTED_SECURITY_DEFAULTS = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: 'RuntimeDefault',
} as const satisfies SecurityContextConfig;

/**
 * Resolves the workload of `environment`. Maps (env, labels, annotations, securityContext and its
 * capabilities) merge key by key, the environment's winning; anything else the environment sets
 * (lists, probes, replicas, resources) replaces the project's.
 */
export function workloadOf(project: WorkloadSource, environment: Environment): Workload {
  const o: EnvironmentOverrides = project.environments?.[environment] ?? {};
  return {
    namespace: environment === 'preview' ? project.previewNamespace : project.namespace,
    replicas: o.replicas ?? project.replicas,
    resources: o.resources ?? project.resources,
    env: { ...project.env, ...o.env },
    envFrom: o.envFrom ?? project.envFrom ?? [],
    command: o.command ?? project.command,
    args: o.args ?? project.args,
    readinessProbe: o.readinessProbe ?? project.readinessProbe,
    livenessProbe: o.livenessProbe ?? project.livenessProbe,
    securityContext: {
      ...RESTRICTED_SECURITY_DEFAULTS,
      ...project.securityContext,
      ...o.securityContext,
      capabilities: {
        ...RESTRICTED_SECURITY_DEFAULTS.capabilities,
        ...project.securityContext?.capabilities,
        ...o.securityContext?.capabilities,
      },
    },
    labels: { ...project.labels, ...o.labels },
    annotations: { ...project.annotations, ...o.annotations },
  };
}

/**
 * `runAsUser: 0` under the default `runAsNonRoot: true` is a pod the kubelet refuses to start:
 * say so when the file is read, naming the field that asked for root.
 */
export function rootUserProblems(project: WorkloadSource): { path: PropertyKey[]; message: string }[] {
  const problems = new Map<string, { path: PropertyKey[]; message: string }>();
  for (const environment of ['preview', 'production'] as const) {
    const { securityContext } = workloadOf(project, environment);
    if (securityContext.runAsUser !== 0 || !securityContext.runAsNonRoot) continue;
    const path =
      project.environments?.[environment]?.securityContext?.runAsUser === 0
        ? ['environments', environment, 'securityContext', 'runAsUser']
        : ['securityContext', 'runAsUser'];
    problems.set(path.join('.'), {
      path,
      message: 'runs as root (user 0) while runAsNonRoot is true: set runAsNonRoot: false as well to run as root, or use a non-zero user',
    });
  }
  return [...problems.values()];
}
