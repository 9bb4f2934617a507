/**
 * The resources this fake serves, described the way discovery describes them.
 * Everything else (routing, Status messages, tables) is derived from this table.
 */
export interface ResourceType {
  /** API group; '' is the legacy core group served under /api. */
  group: string;
  version: string;
  /** Lower-case plural used in URLs, e.g. "deployments". */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Writes to the main resource leave status alone (status has its own endpoint). */
  statusSubresource: boolean;
  /** Custom resources keep kind/apiVersion on list items; built-in types do not. */
  custom?: boolean;
  /** A PUT must carry metadata.resourceVersion (the apiserver strategy's AllowUnconditionalUpdate() is false). */
  conditionalUpdateOnly?: boolean;
  /** A PUT of a missing object creates it (the strategy's AllowCreateOnUpdate() is true). */
  createOnUpdate?: boolean;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCE_TYPES: readonly ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    statusSubresource: true,
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    statusSubresource: true,
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    statusSubresource: true,
  },
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    statusSubresource: false,
  },
  { group: '', version: 'v1', plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, statusSubresource: false },
  {
    group: '',
    version: 'v1',
    plural: 'resourcequotas',
    singular: 'resourcequota',
    kind: 'ResourceQuota',
    namespaced: true,
    shortNames: ['quota'],
    statusSubresource: true,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    statusSubresource: true,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    statusSubresource: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    statusSubresource: true,
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    statusSubresource: false,
    conditionalUpdateOnly: true,
    createOnUpdate: true,
  },
  {
    group: 'getambassador.io',
    version: 'v3alpha1',
    plural: 'mappings',
    singular: 'mapping',
    kind: 'Mapping',
    namespaced: true,
    statusSubresource: true,
    custom: true,
    conditionalUpdateOnly: true,
  },
];

export const verbsOf = (_type: ResourceType): string[] => VERBS;

export const apiVersionOf = (type: ResourceType): string => (type.group ? `${type.group}/${type.version}` : type.version);

/** "deployments.apps" / "pods": the qualified resource used in Status messages. */
export const qualifiedResource = (type: ResourceType): string => (type.group ? `${type.plural}.${type.group}` : type.plural);

/** "Deployment.apps" / "Service": the qualified kind used in Invalid messages. */
export const qualifiedKind = (type: ResourceType): string => (type.group ? `${type.kind}.${type.group}` : type.kind);

export const findByPlural = (group: string, version: string, plural: string): ResourceType | undefined =>
  RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);

/** Accepts "Deployment", "deployment", "deployments" or "deploy" (the helpers on the fake take any of these). */
export const findByKindName = (name: string): ResourceType | undefined => {
  const n = name.toLowerCase();
  return RESOURCE_TYPES.find((t) => t.kind.toLowerCase() === n || t.plural === n || t.singular === n || t.shortNames?.includes(n));
};

export const findByApiVersionKind = (apiVersion: string, kind: string): ResourceType | undefined =>
  RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);

export const groupVersions = (): { group: string; version: string }[] => {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of RESOURCE_TYPES) seen.set(`${t.group}/${t.version}`, { group: t.group, version: t.version });
  return [...seen.values()];
};

const byKind = (kind: string): ResourceType => RESOURCE_TYPES.find((t) => t.kind === kind)!;

/** The types the simulated controllers work with. */
export const Types = {
  namespace: byKind('Namespace'),
  pod: byKind('Pod'),
  deployment: byKind('Deployment'),
  replicaSet: byKind('ReplicaSet'),
  resourceQuota: byKind('ResourceQuota'),
} as const;
