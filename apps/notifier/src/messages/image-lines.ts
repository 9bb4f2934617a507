import type { BuildSnapshot } from '../builds/build-snapshot';
import { code } from './mrkdwn';

/*
 * Which bits a build is about. CI names an image by tag; once the preview is up the deployer
 * reports the digest it runs, and production deploys exactly that (`repository@digest`).
 */

/** `sha256:` and 12 hex digits: enough to tell two builds' bits apart at a glance. */
export const shortDigest = (digest: string): string => {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
};

/** The digest the preview runs, once the deployer reported it. */
export const previewDigestOf = ({ progress }: BuildSnapshot): string | undefined =>
  progress.preview.status === 'deployed' ? progress.preview.digest : undefined;

/** `` `registry/shop:1.2.3` · `sha256:1a2b3c4d5e6f` ``: the image, and the bits the preview runs once known. */
export function imageWithDigest(build: BuildSnapshot): string {
  const digest = previewDigestOf(build);
  return digest ? `${code(build.facts.image)} · ${code(shortDigest(digest))}` : code(build.facts.image);
}

/**
 * What production runs after shipping, in full so it can be looked up: the pinned image
 * (`registry/shop@sha256:…`), or the image and the digest the deployer reported. undefined when
 * neither a pinned image nor a digest is known (older events): the image line says it all.
 */
export function shippedImage({ facts, progress }: BuildSnapshot): string | undefined {
  const production = progress.production;
  if (production?.status !== 'deployed') return undefined;
  const image = production.image ?? facts.image;
  if (image.includes('@')) return code(image);
  return production.digest ? `${code(image)} · ${code(production.digest)}` : undefined;
}
