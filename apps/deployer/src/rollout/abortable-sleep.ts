/**
 * Waits `ms`, or rejects with `signal.reason` as soon as `signal` aborts (the shutdown's
 * `Interrupted`, a lost lease…), so whoever waits ends with the reason itself.
 */
export const abortable = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', aborted, { once: true });
    function done() {
      signal.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal.reason);
    }
  });
