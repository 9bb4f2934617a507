import { randomBytes } from 'node:crypto';

/** The slice of metav1.ObjectMeta the fake reads and fills in. */
export interface ObjectMeta {
  name: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Any object the fake stores: typed metadata, free-form spec and status. */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  // Spec and status are whatever the client sent (or the simulator wrote); the fake does not model every type.
  spec?: any;
  status?: any;
  [key: string]: unknown;
}

/** RFC 3339 with second precision, as the apiserver writes timestamps. */
export const rfc3339 = (date: Date = new Date()): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Alphabet of generateName suffixes and pod-template-hash values (no vowels, no look-alike digits). */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const randomSuffix = (length = 5): string => {
  const bytes = randomBytes(length);
  return [...bytes].map((b) => SAFE_ALPHABET[b % SAFE_ALPHABET.length]).join('');
};

export const isPlainObject = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/** JSON with sorted keys, so two objects compare equal whatever order their fields arrived in. */
export const stableStringify = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};

export const sameJson = (a: unknown, b: unknown): boolean => stableStringify(a) === stableStringify(b);

export const isOwnedBy = (object: StoredObject, ownerUid: string | undefined): boolean =>
  !!ownerUid && (object.metadata.ownerReferences ?? []).some((ref) => ref.uid === ownerUid);

export const controllerOf = (object: StoredObject): OwnerReference | undefined =>
  (object.metadata.ownerReferences ?? []).find((ref) => ref.controller);
