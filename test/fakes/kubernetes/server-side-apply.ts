import { clone, isPlainObject, rfc3339, sameJson, type ManagedFieldsEntry, type StoredObject } from './object-meta';

/**
 * An approximation of server-side apply, good enough for one field manager per object:
 * maps merge recursively, lists are replaced whole (defaulting refills their defaults),
 * and fields the same manager applied last time but left out now are removed.
 * "Last time" is read back from that manager's managedFields entry, as the real apiserver does.
 */

type FieldSet = Record<string, unknown>;

const SYSTEM_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp'];

const listItemKey = (item: unknown, index: number): string => {
  if (isPlainObject(item)) {
    if (typeof item.name === 'string') return `k:${JSON.stringify({ name: item.name })}`;
    if ('containerPort' in item) return `k:${JSON.stringify({ containerPort: item.containerPort, protocol: item.protocol ?? 'TCP' })}`;
    if ('port' in item) return `k:${JSON.stringify({ port: item.port, protocol: item.protocol ?? 'TCP' })}`;
    return `i:${index}`;
  }
  return `v:${JSON.stringify(item)}`;
};

/** The FieldsV1 set of everything `value` sets ({"f:spec":{"f:replicas":{}}}). */
export const fieldSetOf = (value: Record<string, unknown>, top = true): FieldSet => {
  const set: FieldSet = {};
  for (const [key, child] of Object.entries(value)) {
    if (top && (key === 'apiVersion' || key === 'kind' || key === 'status')) continue;
    if (top && key === 'metadata' && isPlainObject(child)) {
      const meta = Object.fromEntries(
        Object.entries(child).filter(([k]) => !SYSTEM_METADATA.includes(k) && k !== 'name' && k !== 'namespace'),
      );
      if (Object.keys(meta).length) set['f:metadata'] = fieldSetOf(meta, false);
      continue;
    }
    set[`f:${key}`] = childSet(child);
  }
  return set;
};

const childSet = (child: unknown): FieldSet => {
  if (isPlainObject(child)) return fieldSetOf(child, false);
  if (Array.isArray(child)) {
    const items: FieldSet = {};
    child.forEach((item, i) => {
      items[listItemKey(item, i)] = isPlainObject(item) ? { '.': {}, ...fieldSetOf(item, false) } : {};
    });
    return items;
  }
  return {};
};

/** Removes from `live` the map fields in `previous` (last applied set) that `applied` no longer sets. */
const prune = (live: Record<string, unknown>, applied: Record<string, unknown>, previous: FieldSet): void => {
  for (const [fieldKey, sub] of Object.entries(previous)) {
    if (!fieldKey.startsWith('f:')) continue;
    const key = fieldKey.slice(2);
    if (!(key in applied)) delete live[key];
    else if (isPlainObject(applied[key]) && isPlainObject(live[key]) && isPlainObject(sub)) {
      prune(live[key] as Record<string, unknown>, applied[key] as Record<string, unknown>, sub);
    }
  }
};

const merge = (live: unknown, applied: unknown): unknown => {
  if (!isPlainObject(applied)) return clone(applied);
  const result: Record<string, unknown> = isPlainObject(live) ? { ...live } : {};
  for (const [key, value] of Object.entries(applied)) result[key] = merge(result[key], value);
  return result;
};

export interface ApplyResult {
  object: StoredObject;
  /** False when the apply changed nothing (the server then writes nothing). */
  changed: boolean;
}

/**
 * Merges `applied` into `live` (or creates from it) for `manager`.
 * `finish` fills defaults and is applied before comparing, so a re-apply of the same config is a no-op.
 */
export const serverSideApply = (
  live: StoredObject | undefined,
  applied: StoredObject,
  manager: string,
  finish: (object: StoredObject) => StoredObject,
): ApplyResult => {
  const fields = fieldSetOf(applied);
  const previousEntry = live?.metadata.managedFields?.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  const base = clone(
    live ?? ({ apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name: applied.metadata.name } } as StoredObject),
  );
  if (previousEntry) prune(base, applied, previousEntry.fieldsV1);
  const { managedFields: _ignored, ...appliedMeta } = applied.metadata;
  const merged = finish(merge(base, { ...applied, metadata: appliedMeta }) as StoredObject);
  const unchangedFields = previousEntry && sameJson(previousEntry.fieldsV1, fields);
  if (live && unchangedFields && sameJson(withoutManagedFields(merged), withoutManagedFields(live)))
    return { object: live, changed: false };
  merged.metadata.managedFields = recordManager(live?.metadata.managedFields, {
    manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    time: rfc3339(),
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
  });
  return { object: merged, changed: true };
};

const withoutManagedFields = (object: StoredObject): StoredObject => ({
  ...object,
  metadata: { ...object.metadata, managedFields: undefined },
});

/** Replaces the entry of the same manager/operation/subresource, keeping the others. */
export const recordManager = (entries: ManagedFieldsEntry[] | undefined, entry: ManagedFieldsEntry): ManagedFieldsEntry[] => [
  ...(entries ?? []).filter(
    (e) => !(e.manager === entry.manager && e.operation === entry.operation && e.subresource === entry.subresource),
  ),
  entry,
];

/** A managedFields entry for a non-apply write (create, update, patch) by `manager`. */
export const updateEntry = (
  manager: string,
  apiVersion: string,
  changed: Record<string, unknown>,
  subresource?: string,
): ManagedFieldsEntry => ({
  manager,
  operation: 'Update',
  apiVersion,
  time: rfc3339(),
  fieldsType: 'FieldsV1',
  fieldsV1: subresource === 'status' ? { 'f:status': childSet(changed.status ?? {}) } : fieldSetOf(changed),
  ...(subresource ? { subresource } : {}),
});
