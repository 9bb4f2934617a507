import { createHash } from 'node:crypto';
import { DIGEST, parseImageReference, type ImageReference } from './image-reference';

/**
 * The fake's image registry: which content digest each image reference resolves to when a pod pulls it.
 * References are normalized as containerd does, so `nginx`, `nginx:latest` and
 * `docker.io/library/nginx:latest` name the same tag.
 */
export interface ImageRegistry {
  /**
   * The `sha256:<64 hex>` a pull of `imageRef` gets now: the reference's own digest when it has one
   * (`…@sha256:…`), else its tag's current digest — derived from the normalized reference until the tag
   * is pushed, so runs repeat. Throws for a reference that does not parse.
   */
  digestOf(imageRef: string): string;
  /** What `status.containerStatuses[].imageID` of a container pulling `imageRef` now reads: `docker.io/library/nginx@sha256:…`. */
  imageIdOf(imageRef: string): string;
  /**
   * Moves the tag of `imageRef` (a tag reference, no digest) to `digest`, or to a new deterministic digest
   * when omitted, and returns that digest. Containers that start afterwards pull it; running ones keep theirs.
   */
  push(imageRef: string, digest?: string): string;
}

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export class FakeImageRegistry implements ImageRegistry {
  /** "<repository>:<tag>" → digest, for tags that were pushed; the others resolve to their default digest. */
  private readonly tags = new Map<string, string>();
  private pushes = 0;

  digestOf(imageRef: string): string {
    return this.resolve(this.parse(imageRef));
  }

  imageIdOf(imageRef: string): string {
    const reference = this.parse(imageRef);
    return `${reference.repository}@${this.resolve(reference)}`;
  }

  push(imageRef: string, digest?: string): string {
    const { repository, tag, digest: pinned } = this.parse(imageRef);
    if (pinned || !tag) {
      throw new Error(
        `image "${imageRef}" names a digest; push moves a tag (expected e.g. registry/name:tag, and the digest as the second argument)`,
      );
    }
    if (digest !== undefined && !DIGEST.test(digest)) {
      throw new Error(`digest "${digest}" is not a sha256 digest (expected sha256: followed by 64 lower-case hex digits)`);
    }
    this.pushes += 1;
    const next = digest ?? sha256(`${repository}:${tag} push ${this.pushes}`);
    this.tags.set(`${repository}:${tag}`, next);
    return next;
  }

  /** The imageID a container starting now reports, or undefined when the reference cannot parse (no pull happens). */
  pull(imageRef: string): string | undefined {
    return parseImageReference(imageRef) ? this.imageIdOf(imageRef) : undefined;
  }

  private parse(imageRef: string): ImageReference {
    const reference = parseImageReference(imageRef);
    if (!reference)
      throw new Error(`image "${imageRef}" is not a valid image reference (expected e.g. registry/name:tag or registry/name@sha256:<hex>)`);
    return reference;
  }

  private resolve({ repository, tag, digest }: ImageReference): string {
    if (digest) return digest;
    const key = `${repository}:${tag}`;
    return this.tags.get(key) ?? sha256(key);
  }
}
