// Preloaded into a service by bench/memory/rss.bench.ts (NODE_OPTIONS=--require …/probe.cjs),
// never by deploybot itself. On SIGWINCH (not one of the signals
// Nest's shutdown hooks take, unlike SIGUSR2) it writes what the process's memory is made of to
// $RSS_PROBE_DIR/<pid>.json: process.memoryUsage(), V8's heap spaces and code statistics,
// /proc's resident anonymous and file-backed memory and PSS, CPU time so far, threads, and the modules loaded per package.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');

const dir = process.env.RSS_PROBE_DIR;
let snapshots = 0;

const kb = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

/** `/…/node_modules/@scope/name/lib/x.js` → `@scope/name`; the repository's own code → `(deploybot)`. */
function packageOf(file) {
  const at = file.lastIndexOf('/node_modules/');
  if (at < 0) return '(deploybot)';
  const parts = file.slice(at + '/node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * Resident anonymous memory by kind of mapping, from /proc/self/smaps: `[heap]` is glibc's main
 * malloc arena (brk); anonymous mappings of 64 MB reservations are its other arenas; the rest of the
 * anonymous mappings are V8's heap pages, malloc's large blocks (mmap) and thread stacks.
 */
function anonymousByMapping() {
  const out = { brkHeap: 0, arenas: 0, otherAnonymous: 0 };
  let kind;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (range) {
      const [start, end] = [BigInt(`0x${range[1]}`), BigInt(`0x${range[2]}`)];
      const name = range[4];
      const aligned64 = start % (64n << 20n) === 0n;
      kind =
        name === '[heap]'
          ? 'brkHeap'
          : name === '' && range[3] === '0'
            ? aligned64 && end - start <= 64n << 20n
              ? 'arenas'
              : 'otherAnonymous'
            : undefined;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && kind) out[kind] += Number(rss[1]) * 1024;
  }
  return out;
}

function snapshot() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const packages = {};
  for (const file of Object.keys(require.cache)) {
    const name = packageOf(file);
    packages[name] = (packages[name] ?? 0) + 1;
  }
  return {
    pid: process.pid,
    entry: process.argv[1],
    execArgv: process.execArgv,
    memoryUsage: process.memoryUsage(),
    heapSpaces: Object.fromEntries(
      v8
        .getHeapSpaceStatistics()
        .map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size, committed: s.physical_space_size }]),
    ),
    heap: v8.getHeapStatistics(),
    code: v8.getHeapCodeStatistics(),
    rssAnon: kb(status, 'RssAnon'),
    rssFile: kb(status, 'RssFile'),
    // Proportional set size: pages shared with other processes (the node binary's) count in part.
    pss: kb(rollup, 'Pss'),
    peakRss: kb(status, 'VmHWM'),
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    anonymous: anonymousByMapping(),
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0),
    modules: Object.keys(require.cache).length,
    packages,
    // What keeps the event loop busy, by kind (TLSWrap and TCPSocketWrap: open connections).
    resources: process.getActiveResourcesInfo().reduce((counts, kind) => {
      counts[kind] = (counts[kind] ?? 0) + 1;
      return counts;
    }, {}),
  };
}

if (dir) {
  process.on('SIGWINCH', () => {
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(snapshot()));
    // RSS_PROBE_HEAP_SNAPSHOTS=<directory>: also a V8 heap snapshot per probe, numbered, to compare
    // phases (it costs the process memory and a pause of its own, so not in the measured runs).
    const heapDir = process.env.RSS_PROBE_HEAP_SNAPSHOTS;
    if (heapDir) {
      snapshots += 1;
      v8.writeHeapSnapshot(join(heapDir, `${process.pid}-${snapshots}.heapsnapshot`));
    }
  });
}
