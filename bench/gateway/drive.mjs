// The load generator, run as its own process: autocannon against one endpoint, with a
// fresh, correctly signed request each time (a new click or a new build each request).
// Usage: node drive.mjs '<json options>'  → prints autocannon's summary as JSON.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const click = JSON.parse(
  readFileSync(
    new URL('../../apps/gateway/test/fixtures/slack/interactions/block_actions.button.real-capture.heybot.json', import.meta.url),
    'utf8',
  ),
);
let n = 0;

function slackClick() {
  n += 1;
  click.actions[0] = {
    ...click.actions[0],
    action_id: 'deploybot.qa.approve',
    value: `bench-build-${n % 50}`,
    action_ts: `${1700000000 + n}.${String(options.run).padStart(6, '0')}`,
  };
  const body = new URLSearchParams({ payload: JSON.stringify(click) }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
  };
}

function ciWebhook() {
  n += 1;
  const body = new URLSearchParams({
    project: 'bench',
    image: `registry.example.org/bench:${options.run}-${n}`,
    type: 'branch',
    target: `bench-${n % 20}`,
  }).toString();
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${options.ciToken}` } };
}

const next = options.kind === 'slack' ? slackClick : ciWebhook;

/**
 * Open-loop, evenly paced load: one request every 1/rate s on a schedule that does not
 * wait for answers (no coordinated omission), latency measured from the scheduled time.
 * autocannon's overallRate releases each connection's share at the start of every second
 * (a burst), so both are reported.
 */
async function paced() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.url);
  const total = Math.round(options.rate * options.duration);
  const latencies = [];
  const statusCodes = {};
  let errors = 0;
  const start = performance.now() + 50;
  const sendOne = (i) =>
    new Promise((resolve) => {
      const due = start + (i * 1000) / options.rate;
      const fire = () => {
        const { body, headers } = next();
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            agent,
            headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(performance.now() - due);
              statusCodes[res.statusCode] = (statusCodes[res.statusCode] ?? 0) + 1;
              resolve();
            });
          },
        );
        req.on('error', () => {
          errors += 1;
          resolve();
        });
        req.end(body);
      };
      setTimeout(fire, Math.max(0, due - performance.now()));
    });
  await Promise.all(Array.from({ length: total }, (_, i) => sendOne(i)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (q) => Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2));
  return {
    requests: latencies.length,
    rps: options.rate,
    p50: pct(0.5),
    p90: pct(0.9),
    p99: pct(0.99),
    max: Number(latencies.at(-1).toFixed(2)),
    errors,
    statusCodes,
  };
}

if (options.mode === 'paced') {
  process.stdout.write(`${JSON.stringify(await paced())}\n`);
  process.exit(0);
}

const result = await autocannon({
  url: options.url,
  method: 'POST',
  connections: options.connections,
  duration: options.duration,
  ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, ...next() }) }],
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
  })}\n`,
);
