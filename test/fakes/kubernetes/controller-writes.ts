import { sameJson, type StoredObject } from './object-meta';
import type { ObjectStore } from './object-store';
import type { ResourceType } from './resource-types';
import { recordManager, updateEntry } from './server-side-apply';

/** Field managers the simulated control plane writes as, like a real cluster's managedFields show. */
export const CONTROLLER_MANAGER = 'kube-controller-manager';
export const KUBELET_MANAGER = 'kubelet';

/**
 * Writes a new status (and optionally metadata changes) for the live object, as a controller does
 * through the status subresource. Skips the write when nothing changed, so watches only see real changes.
 */
export const writeStatus = (
  store: ObjectStore,
  resource: ResourceType,
  target: StoredObject,
  status: unknown,
  manager: string,
  editMetadata?: (metadata: StoredObject['metadata']) => void,
): StoredObject | undefined => {
  const live = store.get(resource, target.metadata.namespace, target.metadata.name);
  if (!live || live.metadata.uid !== target.metadata.uid) return undefined;
  const next: StoredObject = { ...live, metadata: { ...live.metadata }, status };
  editMetadata?.(next.metadata);
  if (sameJson(next, live)) return live;
  next.metadata.managedFields = recordManager(live.metadata.managedFields, updateEntry(manager, live.apiVersion, { status }, 'status'));
  return store.update(resource, next);
};

/** Writes a spec change made by a controller (e.g. scaling a ReplicaSet); no-op when unchanged. */
export const writeSpec = (
  store: ObjectStore,
  resource: ResourceType,
  target: StoredObject,
  spec: unknown,
  manager: string,
): StoredObject | undefined => {
  const live = store.get(resource, target.metadata.namespace, target.metadata.name);
  if (!live || live.metadata.uid !== target.metadata.uid) return undefined;
  if (sameJson(live.spec, spec)) return live;
  const next: StoredObject = { ...live, spec };
  next.metadata.managedFields = recordManager(live.metadata.managedFields, updateEntry(manager, live.apiVersion, { spec }));
  return store.update(resource, next);
};
