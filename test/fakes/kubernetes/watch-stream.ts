import type { ServerResponse } from 'node:http';
import type { ApiRequest } from './api-request';
import type { StoredObject } from './object-meta';
import type { ObjectStore, StoreEvent } from './object-store';
import { selectorOf } from './read-handlers';
import { apiVersionOf } from './resource-types';
import { expired } from './status-errors';
import { toTable, wantsTable } from './table';

/**
 * `?watch=true` on a list URL: newline-delimited {"type","object"} events, like the apiserver's
 * chunked watch. No resourceVersion (or "0") starts with the current state as ADDED events; a
 * resourceVersion replays what happened after it, and one older than the kept history gets an
 * ERROR event with a 410 Expired Status, then the end of the stream. An object that stops (or
 * starts) matching the selectors is sent as DELETED (or ADDED), as the real watch cache does.
 * `allowWatchBookmarks=true` gets a BOOKMARK (just `metadata.resourceVersion`) every
 * `bookmarkIntervalMs` (the apiserver: about a minute). `timeoutSeconds` ends the stream cleanly.
 */
export interface WatchStream {
  /** Ends the stream cleanly, as at its timeoutSeconds. */
  close(): void;
  /** Drops the connection without ending the response, as a reset or a restarting apiserver does. */
  cut(): void;
  /** Sends ERROR 410 Expired and ends the stream, as the apiserver does for a watcher it can no longer serve. */
  expire(): void;
  /** Sends a BOOKMARK at the current resourceVersion now (only if the client allowed bookmarks). */
  bookmark(): void;
  /** Sends nothing more — no event, no bookmark — and keeps the connection open, as a proxy holding the stream. */
  hold(): void;
}

export interface WatchOptions {
  /** How often a watch that allows bookmarks gets one. */
  bookmarkIntervalMs: number;
}

export const startWatch = (store: ObjectStore, request: ApiRequest, res: ServerResponse, options: WatchOptions): WatchStream => {
  const { resource, namespace, query } = request;
  const selector = selectorOf(request);
  const matches = (o: StoredObject): boolean =>
    (!resource.namespaced || namespace === undefined || o.metadata.namespace === namespace) &&
    (request.name === undefined || o.metadata.name === request.name) &&
    selector(o);
  const table = wantsTable(request.accept);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let held = false;
  const send = (type: string, object: unknown): void => {
    if (held || res.writableEnded || res.destroyed) return;
    const body =
      table && type !== 'ERROR' && type !== 'BOOKMARK'
        ? toTable(resource, [object as StoredObject], String(store.resourceVersion), query)
        : object;
    res.write(`${JSON.stringify({ type, object: body })}\n`);
  };
  const translate = (event: StoreEvent): void => {
    if (event.resource !== resource) return;
    const now = matches(event.object);
    const before = event.previous ? matches(event.previous) : false;
    if (event.type === 'ADDED' && now) send('ADDED', event.object);
    else if (event.type === 'DELETED' && before) send('DELETED', event.object);
    else if (event.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', event.object);
      else if (now) send('ADDED', event.object);
      else if (before) send('DELETED', event.object);
    }
  };

  const bookmarks = query.get('allowWatchBookmarks') === 'true' || query.get('allowWatchBookmarks') === '1';
  const bookmark = (): void => {
    if (!bookmarks) return;
    send('BOOKMARK', {
      kind: resource.kind,
      apiVersion: apiVersionOf(resource),
      metadata: { resourceVersion: String(store.resourceVersion) },
    });
  };
  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let unsubscribe: () => void = () => undefined;
  const stop = (): void => {
    if (timer) clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    unsubscribe();
  };
  const close = (): void => {
    stop();
    if (!res.writableEnded && !res.destroyed) res.end();
  };
  const cut = (): void => {
    stop();
    res.destroy();
  };
  const expire = (): void => {
    send('ERROR', expired(String(store.oldestResumableVersion - 1), store.oldestResumableVersion));
    close();
  };
  const hold = (): void => {
    stop();
    held = true;
  };
  const stream = { close, cut, expire, bookmark, hold };
  res.on('close', close);

  const requested = query.get('resourceVersion');
  const initialEvents = query.get('sendInitialEvents') === 'true';
  if (!requested || requested === '0' || initialEvents) {
    for (const object of store.list(resource, namespace, matches)) send('ADDED', object);
    if (initialEvents) {
      send('BOOKMARK', {
        kind: resource.kind,
        apiVersion: apiVersionOf(resource),
        metadata: { resourceVersion: String(store.resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    }
  } else {
    const history = Number.isFinite(Number(requested)) ? store.eventsSince(Number(requested)) : undefined;
    if (!history) {
      send('ERROR', expired(requested, store.oldestResumableVersion));
      close();
      return stream;
    }
    history.forEach(translate);
  }
  unsubscribe = store.subscribe(translate);

  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  if (timeoutSeconds > 0) {
    timer = setTimeout(close, timeoutSeconds * 1000);
    timer.unref();
  }
  if (bookmarks && options.bookmarkIntervalMs > 0) {
    ticker = setInterval(bookmark, options.bookmarkIntervalMs);
    ticker.unref();
  }
  return stream;
};
