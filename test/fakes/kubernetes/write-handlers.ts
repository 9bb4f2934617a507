import { isDryRun, managerOf, type ApiRequest, type ApiResponse, type HandlerContext } from './api-request';
import { applyDefaults } from './defaults';
import { clone, isPlainObject, sameJson, type StoredObject } from './object-meta';
import { jsonPatch, mergePatch, strategicMerge } from './patches';
import { podAdmissionRefusal } from './pod-admission';
import { apiVersionOf, Types } from './resource-types';
import { recordManager, serverSideApply, updateEntry } from './server-side-apply';
import { normalizeMicroTimes } from './micro-time';
import { ApiError, badRequest, conflict, failure, notFound, resourceVersionRequired, unsupportedMediaType } from './status-errors';
import { validate, validateUpdate } from './validation';

/** POST, PUT and PATCH (all four patch types) on a resource or its /status. */

const requireObject = (body: unknown): StoredObject => {
  if (!isPlainObject(body)) throw badRequest('the body of the request must be a JSON object');
  const object = clone(body) as StoredObject;
  object.metadata = isPlainObject(object.metadata) ? object.metadata : ({} as StoredObject['metadata']);
  return object;
};

const checkIdentity = (request: ApiRequest, object: StoredObject): void => {
  const expected = apiVersionOf(request.resource);
  if (object.apiVersion && object.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (object.kind && object.kind !== request.resource.kind) {
    throw badRequest(`the kind in the data (${object.kind}) does not match the expected kind (${request.resource.kind})`);
  }
  if (request.resource.namespaced && object.metadata.namespace && object.metadata.namespace !== request.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (request.name && object.metadata.name && object.metadata.name !== request.name) {
    throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${request.name})`);
  }
};

/** Puts URL identity, status rules and defaults on a candidate object. */
const finalize = (ctx: HandlerContext, request: ApiRequest, candidate: StoredObject, live: StoredObject | undefined): StoredObject => {
  const { resource } = request;
  if (request.subresource === 'status') {
    if (!live) throw notFound(resource, request.name ?? '');
    return { ...live, status: candidate.status };
  }
  const object = clone(candidate);
  object.apiVersion = apiVersionOf(resource);
  object.kind = resource.kind;
  object.metadata.name = object.metadata.name || request.name || '';
  if (resource.namespaced) object.metadata.namespace = request.namespace;
  if (live) {
    object.metadata.managedFields ??= live.metadata.managedFields;
    if (resource.statusSubresource) object.status = clone(live.status);
  } else if (resource.statusSubresource) delete object.status;
  // Identity and bookkeeping fields are the server's, whatever the client sent.
  const { uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c, ...metadata } = object.metadata;
  object.metadata = metadata;
  if (live) {
    const { uid, resourceVersion, generation, creationTimestamp } = live.metadata;
    Object.assign(object.metadata, { uid, resourceVersion, generation, creationTimestamp });
  }
  normalizeMicroTimes(resource, object);
  applyDefaults(object, ctx.defaulting);
  if (!object.metadata.name && object.metadata.generateName) return object;
  validate(resource, object);
  if (live) validateUpdate(resource, live, object);
  return object;
};

const checkResourceVersion = (request: ApiRequest, candidate: StoredObject, live: StoredObject): void => {
  const wanted = candidate.metadata.resourceVersion;
  if (wanted && wanted !== live.metadata.resourceVersion) throw conflict(request.resource, live.metadata.name);
};

/** Writes `next` unless it equals `live` (the apiserver skips no-op writes: no new resourceVersion, no event). */
const write = (
  ctx: HandlerContext,
  request: ApiRequest,
  live: StoredObject,
  next: StoredObject,
  changedPart: Record<string, unknown>,
): ApiResponse => {
  const { managedFields: _a, resourceVersion: _b, ...nextMeta } = next.metadata;
  const { managedFields: _c, resourceVersion: _d, ...liveMeta } = live.metadata;
  if (sameJson({ ...next, metadata: nextMeta }, { ...live, metadata: liveMeta })) return { code: 200, body: live };
  const entry = updateEntry(managerOf(request), next.apiVersion, changedPart, request.subresource);
  next.metadata.managedFields = recordManager(next.metadata.managedFields, entry);
  return { code: 200, body: ctx.store.update(request.resource, next, { dryRun: isDryRun(request) }) };
};

export const create = (ctx: HandlerContext, request: ApiRequest): ApiResponse => {
  const candidate = requireObject(request.body);
  checkIdentity(request, candidate);
  const object = finalize(ctx, { ...request, name: undefined }, candidate, undefined);
  const refusal = request.resource === Types.pod && !request.subresource ? podAdmissionRefusal(ctx.store, object) : undefined;
  if (refusal) throw new ApiError(failure(403, 'Forbidden', refusal, { name: object.metadata.name || undefined, kind: 'pods' }));
  object.metadata.managedFields = [updateEntry(managerOf(request), object.apiVersion, candidate)];
  return { code: 201, body: ctx.store.create(request.resource, object, { dryRun: isDryRun(request) }) };
};

export const replace = (ctx: HandlerContext, request: ApiRequest): ApiResponse => {
  const candidate = requireObject(request.body);
  checkIdentity(request, candidate);
  const live = ctx.store.get(request.resource, request.namespace, request.name ?? '');
  if (!live && request.resource.createOnUpdate && !request.subresource) {
    return create(ctx, { ...request, body: { ...candidate, metadata: { ...candidate.metadata, name: request.name } } });
  }
  if (!live) throw notFound(request.resource, request.name ?? '');
  if (request.resource.conditionalUpdateOnly && !candidate.metadata.resourceVersion)
    throw resourceVersionRequired(request.resource, live.metadata.name);
  checkResourceVersion(request, candidate, live);
  return write(ctx, request, live, finalize(ctx, request, candidate, live), candidate);
};

const applyPatch = (ctx: HandlerContext, request: ApiRequest): ApiResponse => {
  const manager = request.query.get('fieldManager');
  if (!manager) {
    throw new ApiError(
      failure(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      }),
    );
  }
  const applied = requireObject(request.body);
  if (!applied.apiVersion || !applied.kind) throw badRequest('apiVersion and kind must be set in an apply patch');
  checkIdentity(request, applied);
  const live = ctx.store.get(request.resource, request.namespace, request.name ?? '');
  if (live) checkResourceVersion(request, applied, live);
  else if (request.subresource === 'status') throw notFound(request.resource, request.name ?? '');
  const { object, changed } = serverSideApply(
    live,
    { ...applied, metadata: { ...applied.metadata, name: request.name ?? '' } },
    manager,
    (merged) => finalize(ctx, request, merged, live),
  );
  const dryRun = isDryRun(request);
  if (!live) return { code: 201, body: ctx.store.create(request.resource, object, { dryRun }) };
  if (!changed) return { code: 200, body: live };
  return { code: 200, body: ctx.store.update(request.resource, object, { dryRun }) };
};

const PATCHERS: Record<string, (live: unknown, patch: unknown) => unknown> = {
  'application/merge-patch+json': mergePatch,
  'application/strategic-merge-patch+json': strategicMerge,
  'application/json-patch+json': jsonPatch,
};

export const patch = (ctx: HandlerContext, request: ApiRequest): ApiResponse => {
  if (request.contentType === 'application/apply-patch+yaml') return applyPatch(ctx, request);
  const patcher = PATCHERS[request.contentType];
  if (!patcher) throw unsupportedMediaType(request.contentType);
  const live = ctx.store.get(request.resource, request.namespace, request.name ?? '');
  if (!live) throw notFound(request.resource, request.name ?? '');
  const patched = requireObject(patcher(live, request.body));
  checkIdentity(request, patched);
  checkResourceVersion(request, patched, live);
  const changedPart = isPlainObject(request.body) ? request.body : patched;
  return write(ctx, request, live, finalize(ctx, request, patched, live), changedPart);
};
