import { isDryRun, type ApiRequest, type ApiResponse, type HandlerContext } from './api-request';
import { isPlainObject, type StoredObject } from './object-meta';
import { apiVersionOf, type ResourceType } from './resource-types';
import { allOf, parseFieldSelector, parseLabelSelector, type Selector } from './selectors';
import { badRequest, deleted, notFound, preconditionFailed } from './status-errors';
import { toTable, wantsTable } from './table';

/** GET (one or a list), DELETE (one or a collection). */

export const selectorOf = (request: ApiRequest): Selector =>
  allOf(
    parseLabelSelector(request.query.get('labelSelector') ?? undefined),
    parseFieldSelector(request.query.get('fieldSelector') ?? undefined, request.resource),
  );

/** Built-in list items carry no kind/apiVersion on the wire; custom resources keep them. */
const asListItem = (resource: ResourceType, object: StoredObject): StoredObject => {
  if (resource.custom) return object;
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return rest as StoredObject;
};

interface ContinueToken {
  rv: number;
  after: string;
}

const decodeContinue = (token: string): ContinueToken => {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof parsed.after === 'string' && typeof parsed.rv === 'number') return parsed;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
};

const sortKey = (object: StoredObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

export const getOne = (ctx: HandlerContext, request: ApiRequest): ApiResponse => {
  const object = ctx.store.get(request.resource, request.namespace, request.name ?? '');
  if (!object) throw notFound(request.resource, request.name ?? '');
  return {
    code: 200,
    body: wantsTable(request.accept) ? toTable(request.resource, [object], String(ctx.store.resourceVersion), request.query) : object,
  };
};

export const list = (ctx: HandlerContext, request: ApiRequest): ApiResponse => {
  const selected = ctx.store.list(request.resource, request.namespace, selectorOf(request));
  const token = request.query.get('continue');
  const start = token ? decodeContinue(token) : undefined;
  const remaining = start ? selected.filter((o) => sortKey(o) > start.after) : selected;
  const limit = Number(request.query.get('limit') ?? 0);
  const page = limit > 0 ? remaining.slice(0, limit) : remaining;
  const resourceVersion = String(start?.rv ?? ctx.store.resourceVersion);
  const metadata: Record<string, unknown> = { resourceVersion };
  if (page.length < remaining.length) {
    metadata.continue = Buffer.from(JSON.stringify({ rv: Number(resourceVersion), after: sortKey(page[page.length - 1]) })).toString(
      'base64url',
    );
    metadata.remainingItemCount = remaining.length - page.length;
  }
  if (wantsTable(request.accept))
    return { code: 200, body: { ...toTable(request.resource, page, resourceVersion, request.query), metadata } };
  return {
    code: 200,
    body: {
      kind: `${request.resource.kind}List`,
      apiVersion: apiVersionOf(request.resource),
      metadata,
      items: page.map((o) => asListItem(request.resource, o)),
    },
  };
};

/** propagationPolicy from the query or a DeleteOptions body; only Orphan changes anything here. */
const isOrphan = (request: ApiRequest): boolean => {
  const fromBody = isPlainObject(request.body)
    ? (request.body.propagationPolicy ?? (request.body.orphanDependents ? 'Orphan' : undefined))
    : undefined;
  return (request.query.get('propagationPolicy') ?? fromBody) === 'Orphan';
};

/** DeleteOptions.preconditions: delete only while the object still has this uid and resourceVersion. */
const checkPreconditions = (request: ApiRequest, live: StoredObject): void => {
  const preconditions = isPlainObject(request.body) && isPlainObject(request.body.preconditions) ? request.body.preconditions : {};
  const { name, uid = '', resourceVersion = '' } = live.metadata;
  if (typeof preconditions.uid === 'string' && preconditions.uid !== uid) {
    throw preconditionFailed(request.resource, request.namespace, name, 'UID', preconditions.uid, uid);
  }
  if (typeof preconditions.resourceVersion === 'string' && preconditions.resourceVersion !== resourceVersion) {
    throw preconditionFailed(request.resource, request.namespace, name, 'ResourceVersion', preconditions.resourceVersion, resourceVersion);
  }
};

export const deleteOne = (ctx: HandlerContext, request: ApiRequest): ApiResponse => {
  const live = ctx.store.get(request.resource, request.namespace, request.name ?? '');
  if (!live) throw notFound(request.resource, request.name ?? '');
  checkPreconditions(request, live);
  const object = ctx.store.delete(request.resource, request.namespace, request.name ?? '', {
    orphan: isOrphan(request),
    dryRun: isDryRun(request),
  });
  return { code: 200, body: deleted(request.resource, object.metadata.name, object.metadata.uid ?? '') };
};

export const deleteCollection = (ctx: HandlerContext, request: ApiRequest): ApiResponse => {
  const victims = ctx.store.list(request.resource, request.namespace, selectorOf(request));
  const items = victims.map((o) =>
    ctx.store.delete(request.resource, o.metadata.namespace, o.metadata.name, { orphan: isOrphan(request), dryRun: isDryRun(request) }),
  );
  return {
    code: 200,
    body: {
      kind: `${request.resource.kind}List`,
      apiVersion: apiVersionOf(request.resource),
      metadata: { resourceVersion: String(ctx.store.resourceVersion) },
      items,
    },
  };
};
