import { clone, isPlainObject } from './object-meta';
import { badRequest, failure, ApiError } from './status-errors';

/** RFC 7386 JSON merge patch (application/merge-patch+json). */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
};

/** patchMergeKey of the list fields the fake knows (k8s.io/api struct tags); other lists are replaced. */
const MERGE_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  volumes: ['name'],
  env: ['name'],
  imagePullSecrets: ['name'],
  volumeMounts: ['mountPath'],
  ports: ['containerPort', 'port'],
  conditions: ['type'],
  ownerReferences: ['uid'],
};

const mergeKeyFor = (field: string, elements: unknown[]): string | undefined =>
  (MERGE_KEYS[field] ?? []).find((key) => elements.every((e) => isPlainObject(e) && key in e));

const mergeList = (field: string, target: unknown, patch: unknown[]): unknown[] => {
  const key = mergeKeyFor(field, patch);
  if (!key || !Array.isArray(target))
    return patch.filter((e) => !(isPlainObject(e) && e.$patch === 'delete')).map((e) => strategicMerge(undefined, e));
  const result = [...target];
  for (const element of patch as Record<string, unknown>[]) {
    const index = result.findIndex((e) => isPlainObject(e) && e[key] === element[key]);
    if (element.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = strategicMerge(result[index], element);
    else result.push(strategicMerge(undefined, element));
  }
  return result;
};

/**
 * A reasonable strategic merge patch: merge-patch semantics, plus lists of containers, env, ports,
 * volumes, conditions… merged by their merge key and `$patch: delete|replace` directives.
 */
export const strategicMerge = (target: unknown, patch: unknown): unknown => {
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else result[key] = strategicMerge(result[key], value);
  }
  return result;
};

const stripDirectives = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith('$'))
      .map(([k, v]) => [k, stripDirectives(v)]),
  );
};

interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

const pointer = (path: string): string[] => {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`json patch path "${path}" must start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
};

const parentOf = (doc: unknown, parts: string[], path: string): { parent: any; last: string } => {
  let node: any = doc;
  for (const part of parts.slice(0, -1)) {
    node = node?.[part];
    if (node === undefined || node === null) throw jsonPatchFailure(`doc is missing path: "${path}"`);
  }
  return { parent: node, last: parts[parts.length - 1] };
};

const jsonPatchFailure = (message: string): ApiError => new ApiError(failure(422, 'Invalid', message));

const read = (doc: unknown, path: string): unknown => {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (parent?.[last] === undefined) throw jsonPatchFailure(`doc is missing path: "${path}"`);
  return parent[last];
};

const remove = (doc: unknown, path: string): void => {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (parent?.[last] === undefined) throw jsonPatchFailure(`Unable to remove nonexistent key: ${last}: missing value`);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
};

const add = (doc: unknown, path: string, value: unknown): unknown => {
  const parts = pointer(path);
  if (parts.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, clone(value));
  else parent[last] = clone(value);
  return doc;
};

/** RFC 6902 JSON patch (application/json-patch+json). */
export const jsonPatch = (target: unknown, operations: unknown): unknown => {
  if (!Array.isArray(operations)) throw badRequest('json patch must be a list of operations');
  let doc = clone(target);
  for (const op of operations as JsonPatchOperation[]) {
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, op.value);
        break;
      case 'remove':
        remove(doc, op.path);
        break;
      case 'replace':
        read(doc, op.path);
        remove(doc, op.path);
        doc = add(doc, op.path, op.value);
        break;
      case 'move': {
        const value = read(doc, op.from ?? '');
        remove(doc, op.from ?? '');
        doc = add(doc, op.path, value);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, read(doc, op.from ?? ''));
        break;
      case 'test':
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value))
          throw jsonPatchFailure(`testing value ${op.path} failed: test operation failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${String((op as { op: unknown }).op)}`);
    }
  }
  return doc;
};
