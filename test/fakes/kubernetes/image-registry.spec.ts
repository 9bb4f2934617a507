import { describe, expect, it } from '@jest/globals';
import { FakeImageRegistry } from './image-registry';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('the fake image registry', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis'],
    ['index.docker.io/library/nginx:1.27', 'docker.io/library/nginx'],
    ['registry.example.com/shop/web:1.4.2', 'registry.example.com/shop/web'],
    ['localhost/web:dev', 'localhost/web'],
    ['localhost:5000/team/app', 'localhost:5000/team/app'],
  ])('names the repository of %s in imageID as containerd does (%s)', (image, repository) => {
    expect(new FakeImageRegistry().imageIdOf(image)).toMatch(new RegExp(`^${repository.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
  });

  it('resolves the same tag to the same digest however it is spelled, and in every run', () => {
    const spellings = ['nginx', 'nginx:latest', 'docker.io/library/nginx:latest', 'index.docker.io/library/nginx'];
    const digests = spellings.map((image) => new FakeImageRegistry().digestOf(image));
    expect(new Set(digests).size).toBe(1);
    expect(new FakeImageRegistry().digestOf('nginx:1.27')).not.toBe(digests[0]);
  });

  it('resolves a digest reference to its own digest, whatever its tag says', () => {
    const registry = new FakeImageRegistry();
    registry.push('registry.example.com/shop/web:1');
    expect(registry.digestOf(`registry.example.com/shop/web@${digest}`)).toBe(digest);
    expect(registry.imageIdOf(`registry.example.com/shop/web:1@${digest}`)).toBe(`registry.example.com/shop/web@${digest}`);
  });

  it('moves a tag on push, to a new digest or to the one given', () => {
    const registry = new FakeImageRegistry();
    const before = registry.digestOf('registry.example.com/shop/web:1');
    const pushed = registry.push('registry.example.com/shop/web:1');
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushed).not.toBe(before);
    expect(registry.digestOf('registry.example.com/shop/web:1')).toBe(pushed);
    expect(registry.digestOf('registry.example.com/shop/web:2')).toBe(new FakeImageRegistry().digestOf('registry.example.com/shop/web:2'));
    expect(registry.push('registry.example.com/shop/web:1', digest)).toBe(digest);
    expect(registry.imageIdOf('registry.example.com/shop/web:1')).toBe(`registry.example.com/shop/web@${digest}`);
  });

  it('refuses what it cannot resolve with a message that says what to pass', () => {
    const registry = new FakeImageRegistry();
    expect(() => registry.digestOf('Shop/Web:1')).toThrow(
      'image "Shop/Web:1" is not a valid image reference (expected e.g. registry/name:tag',
    );
    expect(() => registry.push(`web@${digest}`)).toThrow(`image "web@${digest}" names a digest; push moves a tag`);
    expect(() => registry.push('web:1', 'sha256:abc')).toThrow('digest "sha256:abc" is not a sha256 digest');
    expect(registry.pull('Shop/Web:1')).toBeUndefined();
  });
});
