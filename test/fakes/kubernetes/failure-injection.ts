import { verbOf, type ResourceTarget } from './api-router';
import { alreadyExists, ApiError, conflict, failure, forbidden, internalError, invalid, serviceUnavailable } from './status-errors';

/** Which requests an injected failure applies to; an empty match applies to every request. */
export interface FailureMatch {
  /** HTTP method, any case. */
  method?: string;
  /** Substring of the URL path, e.g. "/deployments/web". */
  pathIncludes?: string;
  /** The RBAC verb: get, list, watch, create, update, patch, delete, deletecollection (a GET is one of the first three). */
  verb?: string;
}

export type InjectedStatusCode = 403 | 409 | 422 | 500 | 503;

interface Rule {
  match: FailureMatch;
  code: InjectedStatusCode;
  remaining: number;
}

/** The identity the fake pretends the caller has, in Forbidden messages. */
export const DENIED_USER = 'system:serviceaccount:deploybot:deployer';

/** Status errors queued by `failNext`, answered instead of the real handling. */
export class FailureInjection {
  private rules: Rule[] = [];

  add(match: FailureMatch, code: InjectedStatusCode, times = 1): void {
    this.rules.push({ match, code, remaining: times });
  }

  /** Consumes and returns the error for this request, if a rule matches. */
  take(
    method: string,
    path: string,
    target: ResourceTarget | undefined,
    query: URLSearchParams,
    bodyName: string | undefined,
  ): ApiError | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (!r.match.method || r.match.method.toUpperCase() === method) &&
        (!r.match.pathIncludes || path.includes(r.match.pathIncludes)) &&
        (!r.match.verb || (target !== undefined && verbOf(method, target, query) === r.match.verb)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return errorFor(rule.code, method, path, target, query, target?.name ?? bodyName);
  }
}

const errorFor = (
  code: InjectedStatusCode,
  method: string,
  path: string,
  target: ResourceTarget | undefined,
  query: URLSearchParams,
  name: string | undefined,
): ApiError => {
  if (!target) {
    // Not a resource URL (discovery, /version): the generic form of each status.
    const generic: Record<InjectedStatusCode, [string, string]> = {
      403: ['Forbidden', `forbidden: User "${DENIED_USER}" cannot ${method.toLowerCase()} path "${path}"`],
      409: ['Conflict', 'the object has been modified; please apply your changes to the latest version and try again'],
      422: ['Invalid', 'the request is invalid'],
      500: ['InternalError', 'Internal error occurred: etcdserver: request timed out'],
      503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    };
    return new ApiError(failure(code, generic[code][0], generic[code][1]));
  }
  const { resource, namespace } = target;
  switch (code) {
    case 403:
      return forbidden(resource, verbOf(method, target, query), namespace, name, DENIED_USER);
    case 409:
      return method === 'POST' ? alreadyExists(resource, name ?? '') : conflict(resource, name ?? '');
    case 422:
      return invalid(resource, name ?? '', [
        {
          type: 'FieldValueInvalid',
          field: 'spec',
          body: 'Invalid value: "object": rejected by an injected failure (kubernetes fake failNext)',
        },
      ]);
    case 500:
      return internalError('etcdserver: request timed out');
    case 503:
      return serviceUnavailable();
  }
};
