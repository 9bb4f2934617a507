import { KubernetesError } from './kubernetes-error';

/** How often and how patiently a retryable Kubernetes call is repeated. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** 5 tries over about 7.5 s: rides out an API server restart or a short throttle, not an outage. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 4_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call`; a retryable KubernetesError is retried with exponential backoff (honouring a
 * 429's Retry-After), anything else is thrown at once. The last error is thrown after the last try.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = defaultSleep,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KubernetesError) || !error.retryable || attempt >= policy.attempts) throw error;
      const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
      await sleep(error.retryAfterSeconds !== undefined ? Math.min(error.retryAfterSeconds * 1000, policy.maxDelayMs) : backoff);
    }
  }
}
