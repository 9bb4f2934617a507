import { describe, expect, it } from '@jest/globals';
import { checkBranchDeletedRequest } from './branch-deleted-request';

const projects = ['shop', 'blog'];

describe('POST /branch-deleted: the request', () => {
  it('accepts a project and a branch, the type defaulting to branch', () => {
    expect(checkBranchDeletedRequest({ project: 'shop', target: 'feature/login' }, projects)).toEqual({
      ok: true,
      request: { project: 'shop', type: 'branch', target: 'feature/login' },
    });
    expect(checkBranchDeletedRequest({ project: 'shop', target: 'v1.2', type: 'tag' }, projects)).toMatchObject({
      ok: true,
      request: { type: 'tag' },
    });
  });

  it('names every field that is wrong', () => {
    expect(checkBranchDeletedRequest({ target: 'a..b', type: 'pr' }, projects)).toEqual({
      ok: false,
      status: 400,
      problems: [
        { field: 'project', message: 'is required' },
        { field: 'type', message: '"pr" is not a build type (expected "branch" or "tag")' },
        { field: 'target', message: expect.stringMatching(/^"a\.\.b" is not a valid branch or tag name/) },
      ],
    });
  });

  it('answers 404 when the only problem is a project that is not configured', () => {
    expect(checkBranchDeletedRequest({ project: 'shpo', target: 'main' }, projects)).toEqual({
      ok: false,
      status: 404,
      problems: [{ field: 'project', message: '"shpo" is not a configured project (expected one of: shop, blog)' }],
    });
  });
});
