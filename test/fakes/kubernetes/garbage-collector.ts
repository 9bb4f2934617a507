import type { ObjectStore, StoreEvent } from './object-store';

/**
 * Plays the garbage collector: when an owner is deleted its dependents go too (background
 * propagation, done at once), so deleting a Deployment removes its ReplicaSets and then their Pods.
 * With propagationPolicy=Orphan the dependents stay and lose the owner reference instead.
 */
export const collectGarbage = (store: ObjectStore, event: StoreEvent): void => {
  if (event.type !== 'DELETED') return;
  const ownerUid = event.object.metadata.uid;
  for (const { resource, object } of store.dependentsOf(ownerUid)) {
    if (event.orphan) {
      const ownerReferences = (object.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== ownerUid);
      store.update(resource, { ...object, metadata: { ...object.metadata, ownerReferences } });
    } else {
      store.delete(resource, object.metadata.namespace, object.metadata.name);
    }
  }
};
