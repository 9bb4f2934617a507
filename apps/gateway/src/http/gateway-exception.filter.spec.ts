import { describe, expect, it } from '@jest/globals';
import { HttpException, NotFoundException } from '@nestjs/common';
import { errorAnswer } from './gateway-exception.filter';
import { Refusal } from './refusal';

const LIMIT = 65_536;

describe('the answer to an error, on every route', () => {
  it('answers a refusal as it was made, headers included', () => {
    expect(errorAnswer(Refusal.unavailable('retry later', 5, new Error('no ack')), LIMIT)).toEqual({
      status: 503,
      body: { error: 'unavailable', message: 'retry later' },
      headers: { 'Retry-After': '5' },
    });
  });

  it("answers Fastify's 413, as Nest hands it over, with the gateway's limit", () => {
    const fromFastify = new HttpException('Request body is too large', 413, {
      cause: Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
    });
    expect(errorAnswer(fromFastify, LIMIT)).toEqual({
      status: 413,
      body: { error: 'payload too large', message: 'the request body is larger than 65536 bytes' },
      headers: { Connection: 'close' },
    });
  });

  it("translates Nest's HTTP errors into the same shape, named by their status", () => {
    expect(errorAnswer(new NotFoundException('Cannot GET /x'), LIMIT)).toEqual({
      status: 404,
      body: { error: 'not found', message: 'Cannot GET /x' },
      headers: {},
    });
    expect(errorAnswer(new HttpException({ message: ['a', 'b'] }, 400), LIMIT).body).toEqual({ error: 'bad request', message: 'a; b' });
  });

  it('reveals nothing of any other error', () => {
    expect(errorAnswer(new TypeError('secret detail'), LIMIT)).toEqual({ status: 500, body: { error: 'internal error' }, headers: {} });
  });
});
