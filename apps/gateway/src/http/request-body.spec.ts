import { describe, expect, it } from '@jest/globals';
import { Refusal } from './refusal';
import { decodeFields } from './request-body';

const decode = (contentType: string | undefined, body: string) => decodeFields(contentType, Buffer.from(body));

function refusal(contentType: string | undefined, body: string): { status: number; body: unknown } {
  try {
    decode(contentType, body);
  } catch (error) {
    if (error instanceof Refusal) return { status: error.getStatus(), body: error.body };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('decoding the CI webhook body', () => {
  it('reads a form body, as the CI step of the original ci-bot sends it', () => {
    expect({
      ...decode('application/x-www-form-urlencoded', 'project=test1&image=registry%2Fapp%3A1.2&type=branch&target=staging'),
    }).toEqual({
      project: 'test1',
      image: 'registry/app:1.2',
      type: 'branch',
      target: 'staging',
    });
  });

  it('keeps a repeated field as all its values and field[key] as a structure, so validation can name them', () => {
    const fields = decode('application/x-www-form-urlencoded; charset=UTF-8', 'project=a&project=b&image[a]=x&image[b]=y');
    expect(fields.project).toEqual(['a', 'b']);
    expect({ ...(fields.image as object) }).toEqual({ '[a]': 'x', '[b]': 'y' });
  });

  it('reads JSON, with any casing of the media type', () => {
    expect(decode('Application/JSON; charset=utf-8', '{"project":"test1","type":"tag"}')).toEqual({ project: 'test1', type: 'tag' });
  });

  it('has no fields for an empty body, whatever its type', () => {
    expect(decode(undefined, '')).toEqual({});
    expect(decode('text/plain', '')).toEqual({});
  });

  it('refuses JSON that does not parse with 400, with the parser message', () => {
    expect(refusal('application/json', '{"project":')).toEqual({
      status: 400,
      body: { error: 'bad request', message: expect.stringContaining('JSON') },
    });
  });

  it('refuses JSON that is not an object with 400 naming the body', () => {
    for (const body of ['[1,2]', '"text"', '7', 'null']) {
      expect(refusal('application/json', body)).toEqual({
        status: 400,
        body: {
          error: 'invalid request',
          problems: [{ field: 'body', message: 'expected an object with project, image, type and target' }],
        },
      });
    }
  });

  it('refuses other media types and charsets with 415', () => {
    expect(refusal('text/plain', 'project=test1')).toEqual({
      status: 415,
      body: { error: 'unsupported media type', message: 'send application/x-www-form-urlencoded or application/json' },
    });
    expect(refusal(undefined, 'project=test1').status).toBe(415);
    expect(refusal('application/x-www-form-urlencoded; charset=latin1', 'project=test1')).toEqual({
      status: 415,
      body: { error: 'unsupported media type', message: 'the body must be UTF-8, not latin1' },
    });
  });
});
