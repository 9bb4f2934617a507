import type { StoredObject } from '../../../test/fakes/kubernetes/object-meta';
import { findByApiVersionKind } from '../../../test/fakes/kubernetes/resource-types';
import {
  ApiError,
  conflict,
  alreadyExists,
  failure,
  forbidden,
  internalError,
  invalid,
  serviceUnavailable,
} from '../../../test/fakes/kubernetes/status-errors';
import { KubernetesError, toKubernetesError } from '../src/kubernetes/kubernetes-error';

/** The port's calls, by what they do. */
export type Verb = 'apply' | 'create' | 'replace' | 'patch' | 'read' | 'list' | 'watch' | 'delete' | 'version';

/** One call of the Cluster port as the in-memory cluster received it. */
export interface ClusterCall {
  verb: Verb;
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  /** What was sent (apply, create, replace), as it went over the wire (JSON). */
  object?: StoredObject;
  /** The resourceVersion a guarded apply (or a patch) was made at. */
  guard?: string;
  precondition?: { uid?: string; resourceVersion?: string };
  labelSelector?: string;
  /** The resourceVersion a watch started from. */
  resourceVersion?: string;
  /** The KubernetesError's reason, when the call failed. */
  error?: string;
}

/** Which calls a failure or stall is for; an empty match is every call. */
export interface CallMatch {
  verb?: Verb;
  kind?: string;
  namespace?: string;
  name?: string;
}

/**
 * How a call fails, as the adapter reports it once its retries are spent: an API Status code
 * (the HTTP fake's Status bodies), the API server down, or no answer within the request timeout.
 */
export type InjectedFailure = 403 | 409 | 422 | 500 | 503 | 'unreachable' | 'timeout';

/** A call held on its way in: `reached` resolves when it arrives; it goes on at `release()`. */
export interface Stall {
  readonly reached: Promise<ClusterCall>;
  release(): void;
}

/** The identity the HTTP fake pretends the deployer has, in Forbidden messages (failure-injection.ts). */
const DENIED_USER = 'system:serviceaccount:deploybot:deployer';

/** RBAC verbs, for Forbidden messages. */
const RBAC_VERB: Record<Verb, string> = {
  apply: 'patch',
  create: 'create',
  replace: 'update',
  patch: 'patch',
  read: 'get',
  list: 'list',
  watch: 'watch',
  delete: 'delete',
  version: 'get',
};

const matches = (match: CallMatch, call: ClusterCall): boolean =>
  (!match.verb || match.verb === call.verb) &&
  (!match.kind || match.kind === call.kind) &&
  (!match.namespace || match.namespace === call.namespace) &&
  (!match.name || match.name === call.name);

/** What the adapter says it was doing, word for word (kubernetes-cluster.adapter.ts), for the reasons. */
export const actionOf = (call: ClusterCall): string => {
  if (call.verb === 'version') return 'read /version';
  if ((call.verb === 'list' || call.verb === 'watch') && !call.name) {
    return `${call.verb} ${call.kind?.toLowerCase()}s in namespace ${call.namespace}`;
  }
  return `${call.verb} ${call.kind} ${call.name} in namespace ${call.namespace}`;
};

/**
 * The in-memory cluster's wire: records every call, holds the stalled ones, fails the ones a test
 * asked to fail, and turns every failure into the KubernetesError the adapter would throw (through
 * the adapter's own toKubernetesError).
 */
export class ClusterCalls {
  unavailable = false;
  private readonly log: ClusterCall[] = [];
  private failures: { match: CallMatch; failure: InjectedFailure; remaining: number }[] = [];
  private stalls: { match: CallMatch; arrived: (call: ClusterCall) => void; released: Promise<void> }[] = [];

  constructor(
    private readonly server: string,
    private readonly timeoutMs: number,
  ) {}

  failNext(match: CallMatch, failure: InjectedFailure, times: number): void {
    this.failures.push({ match, failure, remaining: times });
  }

  stallNext(match: CallMatch): Stall {
    let arrived!: (call: ClusterCall) => void;
    let release!: () => void;
    const reached = new Promise<ClusterCall>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.stalls.push({ match, arrived, released });
    return { reached, release };
  }

  recorded(match: CallMatch): ClusterCall[] {
    return this.log.filter((call) => matches(match, call));
  }

  clearRecorded(): void {
    this.log.length = 0;
  }

  /** Records the call, holds it if a stall is set for it, and throws the failure it is to have. */
  async before(call: ClusterCall): Promise<void> {
    this.log.push(call);
    const stall = this.stalls.find((s) => matches(s.match, call));
    if (stall) {
      this.stalls = this.stalls.filter((s) => s !== stall);
      stall.arrived(call);
      await stall.released;
    }
    // Like I/O, an answer never comes back in the same tick.
    await Promise.resolve();
    if (this.unavailable) throw this.injected('unreachable', call);
    const rule = this.failures.find((f) => f.remaining > 0 && matches(f.match, call));
    if (!rule) return;
    rule.remaining -= 1;
    this.failures = this.failures.filter((f) => f.remaining > 0);
    throw this.injected(rule.failure, call);
  }

  /** What the adapter throws for `error`: 409s of calls with a precondition are answers, not worth retrying. */
  asAdapterError(error: unknown, call: ClusterCall, conflictIsAnswer: boolean): KubernetesError {
    const raw = error instanceof ApiError ? { code: error.status.code, body: error.status, headers: {} } : error;
    const e = toKubernetesError(raw, { server: this.server, action: actionOf(call), timeoutMs: this.timeoutMs });
    const answer = conflictIsAnswer && e.conflict ? new KubernetesError(e.reason, false, e.status) : e;
    call.error = answer.reason;
    return answer;
  }

  /** The error the client would see: the HTTP fake's Status for the call's resource, or a network error. */
  private injected(injected: InjectedFailure, call: ClusterCall): unknown {
    if (injected === 'unreachable') return Object.assign(new Error(`connect ECONNREFUSED ${this.server}`), { code: 'ECONNREFUSED' });
    if (injected === 'timeout') return Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    const type = call.apiVersion && call.kind ? findByApiVersionKind(call.apiVersion, call.kind) : undefined;
    if (!type) return new ApiError(failure(injected, ...GENERIC[injected]));
    switch (injected) {
      case 403:
        return forbidden(type, RBAC_VERB[call.verb], call.namespace, call.name, DENIED_USER);
      case 409:
        return call.verb === 'create' ? alreadyExists(type, call.name ?? '') : conflict(type, call.name ?? '');
      case 422:
        return invalid(type, call.name ?? '', [
          {
            type: 'FieldValueInvalid',
            field: 'spec',
            body: 'Invalid value: "object": rejected by an injected failure (in-memory cluster failNext)',
          },
        ]);
      case 500:
        return internalError('etcdserver: request timed out');
      case 503:
        return serviceUnavailable();
    }
  }
}

/** Failures of a call that names no resource (/version), as the HTTP fake words them. */
const GENERIC: Record<Exclude<InjectedFailure, 'unreachable' | 'timeout'>, [reason: string, message: string]> = {
  403: ['Forbidden', `forbidden: User "${DENIED_USER}" cannot get path "/version"`],
  409: ['Conflict', 'the object has been modified; please apply your changes to the latest version and try again'],
  422: ['Invalid', 'the request is invalid'],
  500: ['InternalError', 'Internal error occurred: etcdserver: request timed out'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
};
