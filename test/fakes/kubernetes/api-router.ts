import type { ServerResponse } from 'node:http';
import type { ApiRequest, ApiResponse, HandlerContext } from './api-request';
import { apiGroup, apiGroupList, apiResourceList, coreVersions, versionInfo } from './discovery';
import { deleteCollection, deleteOne, getOne, list } from './read-handlers';
import { findByPlural, type ResourceType } from './resource-types';
import { methodNotAllowed, pathNotFound } from './status-errors';
import { startWatch, type WatchStream } from './watch-stream';
import { create, patch, replace } from './write-handlers';

/** Where a resource URL points: /api/v1/namespaces/<ns>/<plural>/<name>/<sub> and the /apis/<g>/<v>/… forms. */
export interface ResourceTarget {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: 'status';
  /** The deprecated /watch/ path prefix. */
  watchPath: boolean;
}

export const parseResourcePath = (path: string): ResourceTarget | undefined => {
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) [group, version, rest] = ['', segments[1], segments.slice(2)];
  else if (segments[0] === 'apis' && segments.length >= 4) [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
  else return undefined;
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findByPlural(group, version, rest[2])?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const resource = plural ? findByPlural(group, version, plural) : undefined;
  if (!resource || extra.length > 0 || (subresource && subresource !== 'status')) return undefined;
  if (resource.namespaced && name && namespace === undefined) return undefined;
  return { resource, namespace, name, subresource: subresource as 'status' | undefined, watchPath };
};

/** The RBAC verb of a request, for Forbidden messages. */
export const verbOf = (method: string, target: ResourceTarget, query: URLSearchParams): string => {
  const watch = target.watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
      return watch ? 'watch' : target.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return target.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
};

/** Discovery and health endpoints; undefined when the path is not one of them. */
export const routeNonResource = (path: string, serverAddress: string): ApiResponse | undefined => {
  const segments = path.split('/').filter(Boolean);
  if (path === '/version') return { code: 200, body: versionInfo() };
  if (path === '/api') return { code: 200, body: coreVersions(serverAddress) };
  if (path === '/apis') return { code: 200, body: apiGroupList() };
  if (segments[0] === 'api' && segments.length === 2) return found(apiResourceList('', segments[1]));
  if (segments[0] === 'apis' && segments.length === 2) return found(apiGroup(segments[1]));
  if (segments[0] === 'apis' && segments.length === 3) return found(apiResourceList(segments[1], segments[2]));
  return undefined;
};

const found = (body: unknown): ApiResponse => {
  if (body === undefined) throw pathNotFound();
  return { code: 200, body };
};

/**
 * Runs a resource request. Returns the response, or the watch stream when the request became one
 * (the watch then owns `res`).
 */
export const dispatch = (
  ctx: HandlerContext,
  request: ApiRequest,
  target: ResourceTarget,
  res: ServerResponse,
): ApiResponse | WatchStream => {
  const watch = target.watchPath || request.query.get('watch') === 'true' || request.query.get('watch') === '1';
  switch (request.method) {
    case 'GET':
      if (watch) return startWatch(ctx.store, request, res, ctx.watch);
      return target.name ? getOne(ctx, request) : list(ctx, request);
    case 'POST':
      if (target.name) throw methodNotAllowed(request.method);
      return create(ctx, request);
    case 'PUT':
      if (!target.name) throw methodNotAllowed(request.method);
      return replace(ctx, request);
    case 'PATCH':
      if (!target.name) throw methodNotAllowed(request.method);
      return patch(ctx, request);
    case 'DELETE':
      if (target.subresource) throw methodNotAllowed(request.method);
      return target.name ? deleteOne(ctx, request) : deleteCollection(ctx, request);
    default:
      throw methodNotAllowed(request.method);
  }
};
