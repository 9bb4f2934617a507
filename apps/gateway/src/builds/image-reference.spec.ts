import { describe, expect, it } from '@jest/globals';
import { parseImageReference } from './image-reference';

const valid = (input: string) => parseImageReference(input).ok;
const reasonOf = (input: string) => {
  const check = parseImageReference(input);
  return check.ok ? undefined : check.message;
};
const digest = `sha256:${'a'.repeat(64)}`;

describe('image references (distribution/reference grammar)', () => {
  it.each([
    'registry.example.org/team/app:1.2.3',
    'nginx:1.25',
    'library/nginx:latest',
    'localhost/app:dev',
    'localhost:5000/app:dev',
    'ghcr.io/owner/repo:sha-0123abc',
    'registry.example.org:5000/a/b/c:v1_2-3.4',
    '[::1]:5000/app:1',
    '127.0.0.1:5000/app:1',
    `app@${digest}`,
    `registry.example.org/app:1.0@${digest}`,
    'my-app__x/sub--name.y:T',
    `app:${'t'.repeat(128)}`,
  ])('accepts %s', (input) => {
    expect(valid(input)).toBe(true);
  });

  it('names the whole input and an example in the answer', () => {
    expect(reasonOf('foo bar')).toBe(
      '"foo bar" is not a valid image reference (it contains whitespace or control characters; expected e.g. registry/name:tag or name@sha256:<64 hex>)',
    );
  });

  it.each([
    ['', 'it is empty'],
    ['registry.example.org/app', 'needs a tag or a digest'],
    ['registry.example.org/App:1', 'must be lowercase'],
    ['app:-dev', 'the tag must be'],
    ['app:.dev', 'the tag must be'],
    [`app:${'t'.repeat(129)}`, 'the tag must be'],
    ['app:1:2', 'the tag must be'],
    ['app@sha256:abc', 'the digest must be sha256'],
    [`app@sha512:${'a'.repeat(64)}`, 'the digest must be sha256'],
    [`app@sha256:${'A'.repeat(64)}`, 'the digest must be sha256'],
    ['-app:1', 'repository path component'],
    ['app-:1', 'repository path component'],
    ['a//b:1', 'repository path component'],
    ['a/b/:1', 'repository path component'],
    ['app_-x:1', 'repository path component'],
    ['a___b:1', 'repository path component'],
    ['reg_istry.io/app:1', 'the registry "reg_istry.io" is not a host[:port]'],
    ['-bad.example.org/app:1', 'the registry'],
    ['registry.example.org:port/app:1', 'the registry'],
    ['app:1\n', 'whitespace or control'],
    ['app:1\u0000', 'whitespace or control'],
    [`registry.example.org/${'a'.repeat(250)}:1`, 'longer than 255'],
  ])('refuses %j: %s', (input, reason) => {
    expect(reasonOf(input)).toContain(reason);
  });

  it('treats a first component with capitals as a registry, as Docker does', () => {
    expect(parseImageReference('Registry/app:1')).toMatchObject({ ok: true, reference: { domain: 'Registry', path: 'app', tag: '1' } });
  });

  it('splits registry, path, tag and digest', () => {
    expect(parseImageReference(`localhost:5000/team/app:v1@${digest}`)).toEqual({
      ok: true,
      reference: { domain: 'localhost:5000', path: 'team/app', tag: 'v1', digest },
    });
    expect(parseImageReference('team/app:v1')).toEqual({
      ok: true,
      reference: { domain: undefined, path: 'team/app', tag: 'v1', digest: undefined },
    });
  });

  it('shortens a long input in the answer', () => {
    expect(reasonOf(`${'x'.repeat(1000)} y`)!.length).toBeLessThan(250);
  });
});
