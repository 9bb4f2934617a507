import { describe, expect, it } from '@jest/globals';
import { k8sFixture } from '../../test/fixtures/k8s-fixtures';
import { KubernetesError, toKubernetesError } from './kubernetes-error';
import { withRetry } from './retry';

const context = { server: 'https://k8s.example.org:6443', action: 'apply Deployment shop in namespace previews', timeoutMs: 10_000 };

/** The shape client-node 1.x throws for a non-2xx answer. */
const apiException = (code: number, body: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body, headers });

const forbidden = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message:
    'deployments.apps "shop" is forbidden: User "system:serviceaccount:deploybot:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "previews"',
  reason: 'Forbidden',
  details: { name: 'shop', group: 'apps', kind: 'deployments' },
  code: 403,
};

describe('toKubernetesError', () => {
  it('turns a 403 into the missing RBAC permission and where to grant it', () => {
    const error = toKubernetesError(apiException(403, forbidden), context);
    expect(error.retryable).toBe(false);
    expect(error.reason).toContain('cannot patch resource "deployments" in API group "apps" in the namespace "previews"');
    expect(error.reason).toContain('deploy/rbac.yaml');
  });

  it('names every invalid field of a 422 from details.causes', () => {
    const error = toKubernetesError(apiException(422, k8sFixture('422-invalid.deployment-bad-name.maclof-readme.json')), context);
    expect(error.retryable).toBe(false);
    expect(error.reason).toMatch(
      /^Invalid: Kubernetes rejected Deployment "test_deploy": metadata\.name: Invalid value: "test_deploy": a DNS-1123 subdomain/,
    );
    expect(error.reason).toContain('; spec.template.spec.containers: Required value');
  });

  it('reads a Status that arrived as text', () => {
    const error = toKubernetesError(apiException(404, JSON.stringify(k8sFixture('404-notfound.pod.api-conventions.json'))), context);
    expect(error.notFound).toBe(true);
    expect(error.reason).toBe('NotFound: pods "grafana" not found (apply Deployment shop in namespace previews)');
  });

  it('treats 5xx, 429 and 409 as worth retrying', () => {
    expect(
      toKubernetesError(
        apiException(503, { message: 'the server is currently unable to handle the request', reason: 'ServiceUnavailable' }),
        context,
      ),
    ).toMatchObject({
      retryable: true,
      reason: expect.stringMatching(/^the Kubernetes API at https:\/\/k8s\.example\.org:6443 failed: 503 ServiceUnavailable/),
    });
    expect(toKubernetesError(apiException(429, {}, { 'retry-after': '2' }), context)).toMatchObject({
      retryable: true,
      retryAfterSeconds: 2,
    });
    expect(toKubernetesError(apiException(409, k8sFixture('409-conflict.optimistic-lock.helm.json')), context).retryable).toBe(true);
  });

  it('says it cannot reach the cluster when the connection fails', () => {
    const refused = Object.assign(new Error('request to https://k8s.example.org:6443/api/v1 failed, reason: connect ECONNREFUSED'), {
      name: 'FetchError',
      type: 'system',
      code: 'ECONNREFUSED',
    });
    expect(toKubernetesError(refused, context)).toMatchObject({
      retryable: true,
      reason: 'cannot reach the cluster at https://k8s.example.org:6443 (ECONNREFUSED)',
    });
  });

  it('says it cannot reach the cluster when a call times out', () => {
    const aborted = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError', type: 'aborted' });
    expect(toKubernetesError(aborted, context).reason).toBe(
      'cannot reach the cluster at https://k8s.example.org:6443: no answer within 10 s (apply Deployment shop in namespace previews)',
    );
  });

  it("takes AbortSignal.timeout()'s DOMException for a timeout to retry, not for an HTTP status (its code is 23)", () => {
    const timedOut = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(timedOut.code).toBe(23);
    expect(toKubernetesError(timedOut, context)).toMatchObject({
      retryable: true,
      reason:
        'cannot reach the cluster at https://k8s.example.org:6443: no answer within 10 s (apply Deployment shop in namespace previews)',
    });
  });

  it('explains a kind the cluster does not serve', () => {
    const error = toKubernetesError(new Error('Unrecognized API version and kind: getambassador.io/v3alpha1 Mapping'), context);
    expect(error).toMatchObject({
      retryable: false,
      reason: expect.stringContaining('does not serve Mapping (getambassador.io/v3alpha1)'),
    });
  });

  it('rejects bad credentials with a hint', () => {
    expect(toKubernetesError(apiException(401, { message: 'Unauthorized' }), context).reason).toContain('401 Unauthorized');
  });
});

describe('withRetry', () => {
  const noSleep = async () => undefined;
  const policy = { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 };

  it('retries a retryable failure and returns the later success', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => (++calls < 3 ? Promise.reject(new KubernetesError('503', true, 503)) : 'ok'),
      policy,
      noSleep,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    await expect(withRetry(async () => Promise.reject(new KubernetesError(`503 #${++calls}`, true, 503)), policy, noSleep)).rejects.toThrow(
      '503 #3',
    );
  });

  it('does not retry a permanent failure', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => Promise.reject(new KubernetesError(`403 #${++calls}`, false, 403)), policy, noSleep),
    ).rejects.toThrow('403 #1');
  });

  it('backs off exponentially, capped, and honours Retry-After', async () => {
    const waits: number[] = [];
    const errors = [new KubernetesError('a', true, 503), new KubernetesError('b', true, 429, 0.02), new KubernetesError('c', true, 503)];
    await withRetry(
      async () => {
        const next = errors.shift();
        if (next) throw next;
        return 'done';
      },
      { attempts: 5, baseDelayMs: 10, maxDelayMs: 25 },
      async (ms) => void waits.push(ms),
    );
    expect(waits).toEqual([10, 20, 25]);
  });
});
