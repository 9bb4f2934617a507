import type { V1Container, V1EnvFromSource, V1EnvVar, V1PodSecurityContext, V1Probe, V1SecurityContext } from '@kubernetes/client-node';
import type { EnvFromSource, EnvValue, ProbeConfig, ResolvedSecurityContext, Workload } from '@app/platform';

/*
 * The parts of the pod template that come from the project's workload settings. Secrets are
 * only ever referenced by name: the kubelet reads them, deploybot never does.
 */

/** Environment variables in the projects file's order (a later one may refer to an earlier one as `$(NAME)`). */
export const envVars = (env: Record<string, EnvValue>): V1EnvVar[] =>
  Object.entries(env).map(([name, value]) => {
    if (typeof value === 'string') return { name, value };
    if (value.secretKeyRef) return { name, valueFrom: { secretKeyRef: { ...value.secretKeyRef } } };
    return { name, valueFrom: { configMapKeyRef: { ...value.configMapKeyRef! } } };
  });

export const envFromSources = (sources: EnvFromSource[]): V1EnvFromSource[] =>
  sources.map(({ secretRef, configMapRef, prefix, optional }) => {
    const ref = { name: (secretRef ?? configMapRef)!, ...(optional !== undefined ? { optional } : {}) };
    return { ...(prefix ? { prefix } : {}), ...(secretRef ? { secretRef: ref } : { configMapRef: ref }) };
  });

/** An HTTP probe goes to the container's `http` port unless it names another. */
export function probe(config: ProbeConfig): V1Probe {
  const { http, exec, ...timing } = config;
  const action = http
    ? { httpGet: { path: http.path, port: http.port ?? 'http', scheme: 'HTTP' } }
    : { exec: { command: [...exec!.command] } };
  return { ...action, ...timing };
}

/** Pod-level settings: they hold for every container of the pod. */
export function podSecurityContext(s: ResolvedSecurityContext): V1PodSecurityContext {
  return {
    runAsNonRoot: s.runAsNonRoot,
    ...(s.runAsUser !== undefined ? { runAsUser: s.runAsUser } : {}),
    ...(s.runAsGroup !== undefined ? { runAsGroup: s.runAsGroup } : {}),
    ...(s.fsGroup !== undefined ? { fsGroup: s.fsGroup } : {}),
    seccompProfile: { type: s.seccompProfile, ...(s.localhostProfile ? { localhostProfile: s.localhostProfile } : {}) },
  };
}

/** Container-level settings: those Kubernetes has only per container. */
export function containerSecurityContext(s: ResolvedSecurityContext): V1SecurityContext {
  const add = s.capabilities.add ?? [];
  const drop = s.capabilities.drop ?? [];
  return {
    allowPrivilegeEscalation: s.allowPrivilegeEscalation,
    ...(s.privileged !== undefined ? { privileged: s.privileged } : {}),
    ...(s.readOnlyRootFilesystem !== undefined ? { readOnlyRootFilesystem: s.readOnlyRootFilesystem } : {}),
    ...(add.length || drop.length ? { capabilities: { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) } } : {}),
  };
}

/** What the workload settings add to the `app` container. */
export function containerSettings(workload: Workload): Partial<V1Container> {
  const env = envVars(workload.env);
  const envFrom = envFromSources(workload.envFrom);
  return {
    ...(workload.command ? { command: [...workload.command] } : {}),
    ...(workload.args ? { args: [...workload.args] } : {}),
    ...(env.length ? { env } : {}),
    ...(envFrom.length ? { envFrom } : {}),
    ...(workload.readinessProbe ? { readinessProbe: probe(workload.readinessProbe) } : {}),
    ...(workload.livenessProbe ? { livenessProbe: probe(workload.livenessProbe) } : {}),
    securityContext: containerSecurityContext(workload.securityContext),
  };
}
