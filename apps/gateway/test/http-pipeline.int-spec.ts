import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { SlackActions } from '@app/contracts';
import { asFormBody, slackFixture } from './support/fixtures';
import { ciHeaders, GatewayHarness, post, slackHeaders, startGateway } from './support/gateway-harness';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const seedFields = { project: 'test1', image: 'registry.example.org/test1:abc123', type: 'branch', target: 'staging' };

function click(buildId: string): string {
  const payload = JSON.parse(slackFixture('interactions/block_actions.button.real-capture.heybot.json')) as {
    actions: Array<Record<string, unknown>>;
  };
  payload.actions[0] = { ...payload.actions[0], action_id: SlackActions.Approve, value: buildId };
  return asFormBody(payload);
}

/** A POST whose body arrives in chunks, without Content-Length. */
function postChunked(url: string, chunks: string[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe('one HTTP pipeline for every route: Nest on Fastify (real NATS, real HTTP)', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => gw.close());

  it('answers on the path with a trailing slash, another casing or a query string, as Express would', async () => {
    for (const path of ['/build-complete/', '/Build-Complete', '/build-complete?source=ci']) {
      const response = await post(`${gw.baseUrl}${path}`, form({ ...seedFields, target: `path-${path.length}` }), ciHeaders());
      expect(response.status).toBe(202);
    }
  });

  it('answers another method on a webhook path as any unknown route: 404 in the same JSON shape', async () => {
    for (const [method, path] of [
      ['GET', '/build-complete'],
      ['PUT', '/slack/interactions'],
      ['POST', '/no-such-route'],
    ]) {
      const response = await fetch(`${gw.baseUrl}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'not found', message: `Cannot ${method} ${path}` });
    }
    expect((await fetch(`${gw.baseUrl}/healthz`)).status).toBe(200);
  });

  it('refuses a request that declares a body over 64 KiB on any route, before reading it', async () => {
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        `${gw.baseUrl}/v1/builds/b-1`,
        { method: 'GET', headers: { ...ciHeaders(), 'content-length': String(65 * 1024) } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => {
            request.destroy();
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      request.on('error', reject);
      request.write('x'); // the rest never comes: the answer must not wait for it
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'payload too large', message: 'the request body is larger than 65536 bytes' });
  });

  it('refuses a chunked body without Content-Length as soon as it passes 64 KiB, and publishes nothing', async () => {
    const before = await gw.inputCount();
    const chunks = [`${form(seedFields)}&padding=`, ...Array.from({ length: 20 }, () => 'x'.repeat(8 * 1024))];
    const response = await postChunked(`${gw.baseUrl}/build-complete`, chunks, ciHeaders());
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'payload too large', message: 'the request body is larger than 65536 bytes' });
    expect(await gw.inputCount()).toBe(before);
  });

  it('takes a chunked body within the limit', async () => {
    const body = form({ ...seedFields, target: 'chunked' });
    const response = await postChunked(`${gw.baseUrl}/build-complete`, [body.slice(0, 10), body.slice(10)], ciHeaders());
    expect(response.status).toBe(202);
  });

  it('survives a client that hangs up halfway through its body, and publishes nothing for it', async () => {
    const before = await gw.inputCount();
    const { port } = new URL(gw.baseUrl);
    await new Promise<void>((resolve, reject) => {
      const socket = tcpConnect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /build-complete HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ci-token-0123456789abcdef\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nproject=te`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    const response = await post(`${gw.baseUrl}/build-complete`, form({ ...seedFields, target: 'after-hangup' }), ciHeaders());
    expect(response.status).toBe(202);
    expect(await gw.inputCount()).toBe(before + 1);
  });

  it('counts every route in /metrics by route template and status, the webhooks too', async () => {
    const body = click('metrics-build');
    expect((await post(`${gw.baseUrl}/slack/interactions`, body, slackHeaders(body, Math.floor(gw.clock.ms / 1000)))).status).toBe(200);
    expect((await post(`${gw.baseUrl}/slack/interactions`, body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(
      401,
    );
    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/deploybot_http_requests_total\{route="\/slack\/interactions",method="POST",status="200"\} [1-9]/);
    expect(metrics).toMatch(/deploybot_http_requests_total\{route="\/slack\/interactions",method="POST",status="401"\} [1-9]/);
    expect(metrics).toMatch(/deploybot_http_requests_total\{route="\/build-complete",method="POST",status="202"\} [1-9]/);
    expect(metrics).toMatch(/deploybot_http_request_duration_seconds_count\{route="\/slack\/interactions",method="POST"\} [1-9]/);
    expect(metrics).toMatch(/deploybot_http_requests_total\{route="unmatched",method="POST",status="404"\} [1-9]/);
  });
});
