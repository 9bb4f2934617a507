import type { DefaultingContext } from './defaults';
import type { ObjectStore } from './object-store';
import type { ResourceType } from './resource-types';
import type { WatchOptions } from './watch-stream';

/** A request for a resource, after routing: what the handlers work from. */
export interface ApiRequest {
  method: string;
  resource: ResourceType;
  /** Namespace from the URL; undefined for cluster-scoped resources and all-namespace lists. */
  namespace?: string;
  name?: string;
  subresource?: 'status';
  query: URLSearchParams;
  /** Media type without parameters, e.g. "application/apply-patch+yaml". */
  contentType: string;
  /** Parsed body (JSON, or YAML for apply patches); undefined when there was none. */
  body: unknown;
  userAgent: string;
  /** Accept header, to serve meta.k8s.io Tables to kubectl. */
  accept: string;
}

export interface ApiResponse {
  code: number;
  body: unknown;
}

export interface HandlerContext {
  store: ObjectStore;
  defaulting: DefaultingContext;
  watch: WatchOptions;
}

/** The field manager of a non-apply write: the fieldManager query, else the user agent's program name, like the apiserver. */
export const managerOf = (request: ApiRequest): string => request.query.get('fieldManager') || request.userAgent.split('/')[0] || 'unknown';

export const isDryRun = (request: ApiRequest): boolean => request.query.getAll('dryRun').includes('All');
