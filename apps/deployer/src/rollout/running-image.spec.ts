import { describe, expect, it } from '@jest/globals';
import { digestOf, runningImage } from './running-image';
import type { PodSnapshot } from './rollout-snapshot';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const pod = (
  name: string,
  imageID: string | undefined,
  options: { ready?: boolean; container?: string; deleting?: boolean } = {},
): PodSnapshot => ({
  metadata: { name, ...(options.deleting ? { deletionTimestamp: '2026-11-26T10:00:00Z' } : {}) },
  status: {
    conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
    containerStatuses: [{ name: options.container ?? 'app', ready: options.ready !== false, ...(imageID ? { imageID } : {}) }],
  },
});

describe('digestOf', () => {
  it('reads the digest of a containerd / CRI-O imageID', () => {
    expect(digestOf(`registry.example.org/shop@${A}`)).toBe(A);
  });

  it('reads the digest of a dockershim imageID', () => {
    expect(digestOf(`docker-pullable://registry.example.org/shop@${A}`)).toBe(A);
  });

  it('gives none for a local image id, a short digest or nothing', () => {
    expect(digestOf(A)).toBeUndefined();
    expect(digestOf('registry.example.org/shop@sha256:abc')).toBeUndefined();
    expect(digestOf(`registry.example.org/shop@${A.toUpperCase()}`)).toBeUndefined();
    expect(digestOf(undefined)).toBeUndefined();
  });
});

describe('runningImage', () => {
  it('is the digest every ready pod of the app container runs, with the imageID it came from', () => {
    const pods = [pod('p1', `registry.example.org/shop@${A}`), pod('p2', `registry.example.org/shop@${A}`)];
    expect(runningImage(pods, 'app')).toEqual({ status: 'known', image: { digest: A, imageId: `registry.example.org/shop@${A}` } });
  });

  it('names both digests when ready pods disagree (the tag moved during the rollout)', () => {
    const pods = [pod('p1', `registry.example.org/shop@${A}`), pod('p2', `registry.example.org/shop@${B}`)];
    expect(runningImage(pods, 'app')).toEqual({
      status: 'mixed',
      digests: [
        { digest: A, pod: 'p1' },
        { digest: B, pod: 'p2' },
      ],
    });
  });

  it('ignores pods that are not ready or are going away, and other containers', () => {
    const pods = [
      pod('p1', `registry.example.org/shop@${A}`),
      pod('p2', `registry.example.org/shop@${B}`, { ready: false }),
      pod('p3', `registry.example.org/shop@${B}`, { deleting: true }),
      pod('p4', `registry.example.org/sidecar@${B}`, { container: 'sidecar' }),
    ];
    expect(runningImage(pods, 'app')).toMatchObject({ status: 'known', image: { digest: A } });
  });

  it('knows no digest when no ready pod reports one', () => {
    expect(runningImage([pod('p1', undefined), pod('p2', A)], 'app')).toEqual({
      status: 'unknown',
      detail: 'no ready pod reported a repository digest for container app',
    });
    expect(runningImage([], 'app').status).toBe('unknown');
  });
});
