/**
 * The Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * levels `baseline` and `restricted`, checked on a pod spec: what the PodSecurity admission
 * plugin refuses in a namespace labelled `pod-security.kubernetes.io/enforce: <level>`. The fake
 * enforces it on the pods its ReplicaSet controller creates, and the deployer's unit tests check
 * every pod template it generates against `restricted`. Each violation is worded as the plugin
 * words it: `<check> (<what must change>)`, in the order of the checks' names.
 */

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

interface SeccompLike {
  type?: string;
}
interface SecurityContextLike {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: SeccompLike;
  capabilities?: { add?: string[]; drop?: string[] };
  procMount?: string;
  windowsOptions?: { hostProcess?: boolean };
}
interface ContainerLike {
  name: string;
  securityContext?: SecurityContextLike;
  ports?: { hostPort?: number }[];
}
/** The parts of a PodSpec the checks read (client-node's V1PodSpec fits). */
export interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContextLike & { sysctls?: { name: string }[] };
  containers: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
  /** Each volume: its `name` and one key naming its type (`emptyDir`, `hostPath`, …). */
  volumes?: object[];
}

/** Capabilities `baseline` lets a container add (Docker's defaults). */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const quoted = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');
const containers = (nouns: string[]): string => `${nouns.length === 1 ? 'container' : 'containers'} ${quoted(nouns)}`;

const allContainers = (spec: PodSpecLike): ContainerLike[] => [
  ...(spec.initContainers ?? []),
  ...spec.containers,
  ...(spec.ephemeralContainers ?? []),
];

type Check = (spec: PodSpecLike) => string | undefined;

const volumesOf = (spec: PodSpecLike): Record<string, unknown>[] => (spec.volumes ?? []) as Record<string, unknown>[];

const baselineChecks: Record<string, Check> = {
  hostNamespaces: (spec) => {
    const on = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k]);
    return on.length ? `host namespaces (${on.map((k) => `${k}=true`).join(', ')})` : undefined;
  },
  hostProcess: (spec) => {
    const bad = allContainers(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess);
    return bad.length || spec.securityContext?.windowsOptions?.hostProcess
      ? 'hostProcess (pod or containers must not set hostProcess=true)'
      : undefined;
  },
  privileged: (spec) => {
    const bad = allContainers(spec)
      .filter((c) => c.securityContext?.privileged)
      .map((c) => c.name);
    return bad.length ? `privileged (${containers(bad)} must not set securityContext.privileged=true)` : undefined;
  },
  capabilities: (spec) => {
    const added = allContainers(spec).flatMap((c) =>
      (c.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.has(cap)).map((cap) => ({ c: c.name, cap })),
    );
    return added.length
      ? `non-default capabilities (${added.map(({ c, cap }) => `container "${c}" must not include "${cap}" in securityContext.capabilities.add`).join(', ')})`
      : undefined;
  },
  hostPathVolumes: (spec) => {
    const bad = volumesOf(spec)
      .filter((v) => 'hostPath' in v)
      .map((v) => String(v.name));
    return bad.length ? `hostPath volumes (volumes ${quoted(bad)})` : undefined;
  },
  hostPorts: (spec) => {
    const ports = allContainers(spec).flatMap((c) =>
      (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({ c: c.name, port: p.hostPort })),
    );
    return ports.length ? `hostPort (${ports.map(({ c, port }) => `container "${c}" uses hostPort ${port}`).join(', ')})` : undefined;
  },
  procMount: (spec) => {
    const bad = allContainers(spec)
      .filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== 'Default')
      .map((c) => c.name);
    return bad.length ? `procMount (${containers(bad)} must not set securityContext.procMount)` : undefined;
  },
  seccompProfile: (spec) => {
    const unconfined = [spec.securityContext, ...allContainers(spec).map((c) => c.securityContext)].some(
      (s) => s?.seccompProfile?.type === 'Unconfined',
    );
    return unconfined ? 'seccompProfile (pod and containers must not set securityContext.seccompProfile.type to "Unconfined")' : undefined;
  },
  sysctls: (spec) => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
    return bad.length ? `forbidden sysctls (${bad.join(', ')})` : undefined;
  },
};

/** `restricted` is `baseline` plus these; where both have a rule of one name, restricted's is stricter and replaces it. */
const restrictedChecks: Record<string, Check> = {
  restrictedVolumes: (spec) => {
    const bad = volumesOf(spec).flatMap((v) =>
      Object.keys(v)
        .filter((k) => k !== 'name' && !RESTRICTED_VOLUME_TYPES.has(k))
        .map((k) => `volume "${String(v.name)}" uses restricted volume type "${k}"`),
    );
    return bad.length ? `restricted volume types (${bad.join(', ')})` : undefined;
  },
  allowPrivilegeEscalation: (spec) => {
    const bad = allContainers(spec)
      .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
      .map((c) => c.name);
    return bad.length
      ? `allowPrivilegeEscalation != false (${containers(bad)} must set securityContext.allowPrivilegeEscalation=false)`
      : undefined;
  },
  runAsNonRoot: (spec) => {
    const podNonRoot = spec.securityContext?.runAsNonRoot === true;
    const explicitlyRoot = allContainers(spec)
      .filter((c) => c.securityContext?.runAsNonRoot === false)
      .map((c) => c.name);
    const unset = podNonRoot
      ? []
      : allContainers(spec)
          .filter((c) => c.securityContext?.runAsNonRoot !== true)
          .map((c) => c.name);
    if (spec.securityContext?.runAsNonRoot === false || explicitlyRoot.length)
      return `runAsNonRoot != true (${spec.securityContext?.runAsNonRoot === false ? 'pod' : containers(explicitlyRoot)} must not set securityContext.runAsNonRoot=false)`;
    return unset.length ? `runAsNonRoot != true (pod or ${containers(unset)} must set securityContext.runAsNonRoot=true)` : undefined;
  },
  runAsUser: (spec) => {
    const root = [
      ...(spec.securityContext?.runAsUser === 0 ? ['pod'] : []),
      ...allContainers(spec)
        .filter((c) => c.securityContext?.runAsUser === 0)
        .map((c) => `container "${c.name}"`),
    ];
    return root.length ? `runAsUser=0 (${root.join(' and ')} must not set runAsUser=0)` : undefined;
  },
  seccompProfile: (spec) => {
    const allowed = (s?: SecurityContextLike) => s?.seccompProfile?.type === 'RuntimeDefault' || s?.seccompProfile?.type === 'Localhost';
    const podOk = allowed(spec.securityContext);
    const bad = allContainers(spec)
      .filter((c) => (c.securityContext?.seccompProfile ? !allowed(c.securityContext) : !podOk))
      .map((c) => c.name);
    return bad.length
      ? `seccompProfile (pod or ${containers(bad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`
      : undefined;
  },
  capabilities: (spec) => {
    const problems = allContainers(spec).flatMap((c) => {
      const caps = c.securityContext?.capabilities;
      const out: string[] = [];
      if (!(caps?.drop ?? []).includes('ALL')) out.push(`container "${c.name}" must set securityContext.capabilities.drop=["ALL"]`);
      for (const cap of (caps?.add ?? []).filter((a) => a !== 'NET_BIND_SERVICE'))
        out.push(`container "${c.name}" must not include "${cap}" in securityContext.capabilities.add`);
      return out;
    });
    return problems.length ? `unrestricted capabilities (${problems.join('; ')})` : undefined;
  },
};

/** Every rule of `level` the pod spec breaks, worded as the PodSecurity admission plugin does; empty when it passes. */
export function podSecurityViolations(spec: PodSpecLike, level: PodSecurityLevel): string[] {
  if (level === 'privileged') return [];
  const checks = level === 'restricted' ? { ...baselineChecks, ...restrictedChecks } : baselineChecks;
  // In the order of the checks' names, as the plugin lists them.
  return Object.keys(checks)
    .sort()
    .map((name) => checks[name](spec))
    .filter((v): v is string => v !== undefined);
}

/** The level a namespace enforces, from its `pod-security.kubernetes.io/enforce` label. */
export function enforcedLevel(namespaceLabels: Record<string, string> | undefined): PodSecurityLevel {
  const level = namespaceLabels?.['pod-security.kubernetes.io/enforce'];
  return level === 'baseline' || level === 'restricted' ? level : 'privileged';
}
