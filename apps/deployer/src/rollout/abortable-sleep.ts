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

/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts — for calls that
 * cannot be cancelled themselves (a list, a watch being opened): the caller stops waiting, the
 * call's late answer is dropped.
 */
export const orAborted = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const aborted = () => reject(signal.reason);
    signal.addEventListener('abort', aborted, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', aborted);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', aborted);
        reject(error);
      },
    );
  });
