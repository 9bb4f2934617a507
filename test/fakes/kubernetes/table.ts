import type { StoredObject } from './object-meta';
import type { ResourceType } from './resource-types';
import { formatLabelSelector } from './selectors';

/**
 * meta.k8s.io/v1 Table responses: `kubectl get` asks for them (Accept: application/json;as=Table;v=v1;g=meta.k8s.io)
 * and prints the cells the server computed, so the columns here mirror kube-apiserver's printers.
 */

interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  priority?: number;
  cell: (object: StoredObject) => string | number;
}

export const wantsTable = (accept: string): boolean => /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);

/** k8s.io/apimachinery duration.HumanDuration: "45s", "3m20s", "2h5m", "4d". */
export const humanDuration = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / (24 * 365))}y`;
};

const age = (object: StoredObject): string =>
  object.metadata.creationTimestamp ? humanDuration(Date.now() - Date.parse(object.metadata.creationTimestamp)) : '<unknown>';

const podStatus = (pod: StoredObject): string => {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
  }
  return reason;
};

const podRestarts = (pod: StoredObject): string => {
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  const restarts = statuses.reduce((sum, cs) => sum + (cs.restartCount ?? 0), 0);
  const last = statuses
    .map((cs) => cs.lastState?.terminated?.finishedAt)
    .filter(Boolean)
    .sort()
    .pop();
  return restarts && last ? `${restarts} (${humanDuration(Date.now() - Date.parse(last))} ago)` : String(restarts);
};

const containers = (spec: any): any[] => spec?.template?.spec?.containers ?? [];

const name: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
const ageColumn: Column = { name: 'Age', type: 'string', cell: age };

const COLUMNS: Record<string, Column[]> = {
  Deployment: [
    name,
    { name: 'Ready', type: 'string', cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => o.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', cell: (o) => o.status?.availableReplicas ?? 0 },
    ageColumn,
    {
      name: 'Containers',
      type: 'string',
      priority: 1,
      cell: (o) =>
        containers(o.spec)
          .map((c) => c.name)
          .join(','),
    },
    {
      name: 'Images',
      type: 'string',
      priority: 1,
      cell: (o) =>
        containers(o.spec)
          .map((c) => c.image)
          .join(','),
    },
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => formatLabelSelector(o.spec?.selector) },
  ],
  ReplicaSet: [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => o.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', cell: (o) => o.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', cell: (o) => o.status?.readyReplicas ?? 0 },
    ageColumn,
  ],
  Pod: [
    name,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => `${(o.status?.containerStatuses ?? []).filter((c: any) => c.ready).length}/${(o.spec?.containers ?? []).length}`,
    },
    { name: 'Status', type: 'string', cell: podStatus },
    { name: 'Restarts', type: 'string', cell: podRestarts },
    ageColumn,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => o.status?.podIP ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => o.spec?.nodeName ?? '<none>' },
  ],
  Service: [
    name,
    { name: 'Type', type: 'string', cell: (o) => o.spec?.type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', cell: (o) => o.spec?.clusterIP ?? '<none>' },
    { name: 'External-IP', type: 'string', cell: () => '<none>' },
    {
      name: 'Port(s)',
      type: 'string',
      cell: (o) => (o.spec?.ports ?? []).map((p: any) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>',
    },
    ageColumn,
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => formatLabelSelector({ matchLabels: o.spec?.selector }) },
  ],
  Ingress: [
    name,
    { name: 'Class', type: 'string', cell: (o) => o.spec?.ingressClassName ?? '<none>' },
    { name: 'Hosts', type: 'string', cell: (o) => (o.spec?.rules ?? []).map((r: any) => r.host ?? '*').join(',') || '*' },
    { name: 'Address', type: 'string', cell: () => '' },
    { name: 'Ports', type: 'string', cell: (o) => ((o.spec?.tls ?? []).length ? '80, 443' : '80') },
    ageColumn,
  ],
  Lease: [name, { name: 'Holder', type: 'string', cell: (o) => o.spec?.holderIdentity ?? '' }, ageColumn],
  Namespace: [name, { name: 'Status', type: 'string', cell: (o) => o.status?.phase ?? 'Active' }, ageColumn],
  ConfigMap: [name, { name: 'Data', type: 'integer', cell: (o) => Object.keys((o.data as object) ?? {}).length }, ageColumn],
  Secret: [
    name,
    { name: 'Type', type: 'string', cell: (o) => String(o.type ?? 'Opaque') },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys((o.data as object) ?? {}).length },
    ageColumn,
  ],
};

const rowObject = (object: StoredObject, includeObject: string | null): unknown => {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
};

export const toTable = (
  resource: ResourceType,
  objects: StoredObject[],
  resourceVersion: string,
  query: URLSearchParams,
): Record<string, unknown> => {
  const columns = COLUMNS[resource.kind] ?? [name, ageColumn];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({ cells: columns.map((c) => c.cell(o)), object: rowObject(o, query.get('includeObject')) })),
  };
};
