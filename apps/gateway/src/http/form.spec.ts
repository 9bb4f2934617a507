import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeFormComponent, formPairs, formValue } from './form';

describe('reading form bodies', () => {
  it('decodes + as a space and %XX as UTF-8, and keeps a malformed escape as it is', () => {
    expect(decodeFormComponent('a+b%20c')).toBe('a b c');
    expect(decodeFormComponent('caf%C3%A9')).toBe('café');
    expect(decodeFormComponent('100%')).toBe('100%');
    expect(decodeFormComponent('%zz%41')).toBe('%zzA');
  });

  it('reads every pair in order, repeated names included', () => {
    expect(formPairs('project=shop&type=branch&project=test1&flag&&x=')).toEqual([
      ['project', 'shop'],
      ['type', 'branch'],
      ['project', 'test1'],
      ['flag', ''],
      ['x', ''],
    ]);
    expect(formPairs('')).toEqual([]);
  });

  it('finds the first value of one field, with an encoded name too', () => {
    expect(formValue('a=1&payload=%7B%22x%22%3A1%7D&payload=2', 'payload')).toBe('{"x":1}');
    expect(formValue('pay%6Coad=1', 'payload')).toBe('1');
    expect(formValue('payload', 'payload')).toBe('');
    expect(formValue('payloads=1&x=2', 'payload')).toBeUndefined();
    expect(formValue('', 'payload')).toBeUndefined();
  });

  it('reads what URLSearchParams reads, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(formPairs(text)).toEqual([...new URLSearchParams(text)]);
        expect(formValue(text, 'payload')).toBe(new URLSearchParams(text).get('payload') ?? undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads what URLSearchParams reads, for encoded forms', () => {
    const field = fc.string({ unit: 'binary', maxLength: 20 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(field, fc.constant('payload')), field), { maxLength: 6 }), (pairs) => {
        const text = new URLSearchParams(pairs).toString();
        expect(formPairs(text)).toEqual([...new URLSearchParams(text)]);
        expect(formValue(text, 'payload')).toBe(new URLSearchParams(text).get('payload') ?? undefined);
      }),
    );
  });
});
