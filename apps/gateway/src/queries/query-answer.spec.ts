import { describe, expect, it } from '@jest/globals';
import { answerOf } from './query-answer';

describe("answering HTTP from approvals' query replies", () => {
  it('answers 200 with the data of a successful reply', () => {
    expect(answerOf({ ok: true, data: { id: 'b1' } })).toEqual({ status: 200, body: { id: 'b1' } });
  });

  it("answers a refusal with approvals' status and message", () => {
    expect(answerOf({ ok: false, status: 404, message: 'no build b1' })).toEqual({
      status: 404,
      body: { error: 'not found', message: 'no build b1' },
    });
  });

  it('answers 502 when the reply is not a query reply', () => {
    for (const reply of [null, 'x', { ok: 'yes' }, { ok: false, status: 200, message: 'x' }, { ok: false, status: 'bad' }, { ok: true }]) {
      expect(answerOf(reply).status).toBe(502);
    }
  });
});
