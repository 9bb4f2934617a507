import { describe, expect, it } from '@jest/globals';
import { checkBuildRequest, idempotencyKeyProblem } from './build-request';
import { requestIdOf } from './request-id';

const projects = ['test1', 'shop'];
const valid = { project: 'test1', image: 'registry.example.org/test1:abc123', type: 'branch', target: 'staging' };

describe('the build-complete request', () => {
  it('accepts the fields the CI step of the original ci-bot sends', () => {
    expect(checkBuildRequest(valid, projects)).toEqual({ ok: true, request: valid });
  });

  it('answers 404 naming the field when only the project is unknown', () => {
    expect(checkBuildRequest({ ...valid, project: 'nope' }, projects)).toEqual({
      ok: false,
      status: 404,
      problems: [{ field: 'project', message: '"nope" is not a configured project (expected one of: test1, shop)' }],
    });
  });

  it('lists every problem at once with 400, the unknown project included', () => {
    const check = checkBuildRequest({ project: 'nope', image: 'foo bar', type: 'commit', target: 'a b' }, projects);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.status).toBe(400);
    expect(check.problems.map((p) => p.field).sort()).toEqual(['image', 'project', 'target', 'type']);
    expect(check.problems.find((p) => p.field === 'type')!.message).toBe('"commit" is not a build type (expected "branch" or "tag")');
    expect(check.problems.find((p) => p.field === 'image')!.message).toContain('"foo bar" is not a valid image reference');
    expect(check.problems.find((p) => p.field === 'target')!.message).toContain('"a b" is not a valid branch or tag name');
  });

  it('says which fields are missing', () => {
    const check = checkBuildRequest({}, projects);
    expect(check).toEqual({
      ok: false,
      status: 400,
      problems: ['project', 'image', 'type', 'target'].map((field) => ({ field, message: 'is required' })),
    });
  });

  it('refuses repeated fields and non-string values', () => {
    const check = checkBuildRequest({ ...valid, project: ['test1', 'shop'], target: 5 }, projects);
    expect(check).toMatchObject({
      ok: false,
      status: 400,
      problems: [
        { field: 'project', message: 'expected one value, got 2' },
        { field: 'target', message: 'expected a string, got number' },
      ],
    });
  });

  it('accepts Idempotency-Key values as CI systems send them, and refuses others', () => {
    expect(idempotencyKeyProblem('github-run-1234-attempt-1')).toBeUndefined();
    expect(idempotencyKeyProblem('')).toEqual({ field: 'Idempotency-Key', message: 'expected 1 to 255 printable ASCII characters' });
    expect(idempotencyKeyProblem('x'.repeat(256))).toBeDefined();
    expect(idempotencyKeyProblem('ключ')).toBeDefined();
  });
});

describe('the request id', () => {
  const request = { project: 'test1', image: 'app:1', type: 'branch' as const, target: 'staging' };

  it('is the same for a retried identical request', () => {
    expect(requestIdOf(request)).toBe(requestIdOf({ ...request }));
  });

  it('changes with any of project, type, target and image', () => {
    const ids = new Set([
      requestIdOf(request),
      requestIdOf({ ...request, project: 'shop' }),
      requestIdOf({ ...request, type: 'tag' }),
      requestIdOf({ ...request, target: 'main' }),
      requestIdOf({ ...request, image: 'app:2' }),
    ]);
    expect(ids.size).toBe(5);
  });

  it('follows the Idempotency-Key when one is sent, within the project', () => {
    expect(requestIdOf(request, 'run-1')).toBe(requestIdOf({ ...request, image: 'app:2' }, 'run-1'));
    expect(requestIdOf(request, 'run-1')).not.toBe(requestIdOf(request, 'run-2'));
    expect(requestIdOf(request, 'run-1')).not.toBe(requestIdOf({ ...request, project: 'shop' }, 'run-1'));
    expect(requestIdOf(request, 'run-1')).not.toBe(requestIdOf(request));
  });

  it('is 32 lowercase hex characters (fits Nats-Msg-Id and the contract)', () => {
    expect(requestIdOf(request)).toMatch(/^[0-9a-f]{32}$/);
  });
});
