/**
 * A Kubernetes call that failed, with a reason a person can act on (it ends up in Slack).
 * `retryable` errors (5xx, 429, 409, timeouts, connection errors) are worth another try;
 * the others (403, 422, 404, 400, 401) fail the same way every time.
 */
export class KubernetesError extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    /** HTTP status of the API's answer; absent when there was none. */
    readonly status?: number,
    /** Seconds the API asked to wait before retrying (429 Retry-After). */
    readonly retryAfterSeconds?: number,
    /** The cluster does not serve the kind at all (e.g. the Mapping CRD is not installed). */
    readonly kindNotServed = false,
  ) {
    super(reason);
    this.name = 'KubernetesError';
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  /** The object changed since it was read, or already exists: read again and decide again. */
  get conflict(): boolean {
    return this.status === 409;
  }
}

/** What the failing call was doing, for the reason text: `apply Deployment shop-branch-x in namespace previews`. */
export interface CallContext {
  /** The API server URL, for "cannot reach the cluster at …". */
  server: string;
  action: string;
  timeoutMs: number;
}

interface StatusCause {
  field?: string;
  message?: string;
  reason?: string;
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: StatusCause[] };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

/**
 * Turns whatever the client threw into a KubernetesError. Pure: duck-types client-node's
 * ApiException (`code`, `body`, `headers`), undici's `TypeError: fetch failed` (the socket error
 * is its `cause`), timeouts (`TimeoutError`/`AbortError`) and node-fetch's FetchError (client-node 1.x).
 */
export function toKubernetesError(error: unknown, context: CallContext): KubernetesError {
  if (error instanceof KubernetesError) return error;
  const e = (error ?? {}) as {
    code?: unknown;
    body?: unknown;
    headers?: Record<string, string>;
    name?: string;
    message?: string;
    type?: string;
  };
  // Before the status: the DOMException of AbortSignal.timeout() carries a numeric `code` too (23, TIMEOUT_ERR).
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.type === 'aborted') {
    return new KubernetesError(
      `cannot reach the cluster at ${context.server}: no answer within ${context.timeoutMs / 1000} s (${context.action})`,
      true,
    );
  }
  if (typeof e.code === 'number' && e.code >= 100 && e.code <= 599)
    return fromStatus(e.code, parseStatus(e.body), e.headers ?? {}, context);
  const code = networkCode(error);
  if ((code && NETWORK_CODES.has(code)) || e.type === 'system' || e.name === 'FetchError' || isFetchFailure(error)) {
    return new KubernetesError(`cannot reach the cluster at ${context.server} (${code ?? e.message ?? 'connection failed'})`, true);
  }
  const message = e.message ?? String(error);
  const unserved = /Unrecognized API version and kind: (\S+) (\S+)/.exec(message);
  if (unserved) {
    return new KubernetesError(
      `the cluster does not serve ${unserved[2]} (${unserved[1]}); is its CustomResourceDefinition installed? (${context.action})`,
      false,
      undefined,
      undefined,
      true,
    );
  }
  return new KubernetesError(`cannot ${context.action}: ${message}`, false);
}

/** The socket error code of `error` or of what caused it (undici wraps it: `fetch failed` → cause → code). */
function networkCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string') return e.code;
    e = (e.cause ?? e.errors?.[0]) as typeof e;
  }
  return undefined;
}

/** undici's network failure: `TypeError: fetch failed`. */
const isFetchFailure = (error: unknown): boolean => error instanceof TypeError && error.message === 'fetch failed';

function fromStatus(code: number, status: StatusBody, headers: Record<string, string>, context: CallContext): KubernetesError {
  const message = status.message ?? `HTTP ${code}`;
  switch (true) {
    case code === 401:
      return new KubernetesError(
        `the cluster at ${context.server} rejected the deployer's credentials (401 Unauthorized); check KUBECONFIG or the service account token`,
        false,
        code,
      );
    case code === 403:
      return new KubernetesError(
        `Forbidden: the deployer may not ${context.action}: ${message}. Grant it in the deployer's Role (deploy/rbac.yaml, docs/kubernetes.md)`,
        false,
        code,
      );
    case code === 422:
      return new KubernetesError(`Invalid: Kubernetes rejected ${describeInvalid(status)} (${context.action})`, false, code);
    case code === 404:
      return new KubernetesError(`NotFound: ${message} (${context.action})`, false, code);
    case code === 409:
      return new KubernetesError(`Conflict: ${message} (${context.action})`, true, code);
    case code === 429: {
      const retryAfter = Number(headers['retry-after']);
      return new KubernetesError(
        `the Kubernetes API at ${context.server} is throttling requests (429 TooManyRequests) (${context.action})`,
        true,
        code,
        Number.isFinite(retryAfter) ? retryAfter : undefined,
      );
    }
    case code >= 500:
      return new KubernetesError(
        `the Kubernetes API at ${context.server} failed: ${code} ${status.reason ?? 'ServerError'}: ${message} (${context.action})`,
        true,
        code,
      );
    default:
      return new KubernetesError(`${status.reason ?? `HTTP ${code}`}: ${message} (${context.action})`, false, code);
  }
}

/** `Deployment "x": metadata.name: Invalid value: …; spec.template.spec.containers: Required value`. */
function describeInvalid(status: StatusBody): string {
  const causes = status.details?.causes ?? [];
  if (!causes.length) return status.message ?? 'the object as invalid';
  const what = status.details?.kind && status.details.name ? `${status.details.kind} "${status.details.name}"` : 'the object';
  return `${what}: ${causes.map((c) => (c.field ? `${c.field}: ${c.message ?? c.reason}` : (c.message ?? c.reason))).join('; ')}`;
}

function parseStatus(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return parseStatus(JSON.parse(body));
    } catch {
      return { message: body.trim() || undefined };
    }
  }
  return body && typeof body === 'object' ? (body as StatusBody) : {};
}
