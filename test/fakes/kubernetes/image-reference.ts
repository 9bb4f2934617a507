/** Roughly the docker reference grammar: lower-case path components, optional registry host, tag and digest. */
export const REFERENCE =
  /^([a-zA-Z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** An image reference in the normalized form containerd works with. */
export interface ImageReference {
  /** Registry host and path, Docker Hub names expanded: "nginx" → "docker.io/library/nginx". */
  repository: string;
  /** The tag, "latest" when the reference names neither a tag nor a digest; undefined for digest-only references. */
  tag?: string;
  /** "sha256:<hex>" when the reference carries one (containerd then ignores the tag). */
  digest?: string;
}

/**
 * As docker/distribution's ParseNormalizedNamed: the first path component is a registry host when it
 * has a "." or ":", is "localhost", or has upper case; otherwise the name is on docker.io, where
 * one-component names live under "library/".
 */
const normalizeName = (name: string): string => {
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasHost = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const host = !hasHost || first === 'index.docker.io' ? 'docker.io' : first;
  const path = hasHost ? name.slice(slash + 1) : name;
  return host === 'docker.io' && !path.includes('/') ? `${host}/library/${path}` : `${host}/${path}`;
};

/** The normalized reference, or undefined when `image` does not parse (the kubelet's InvalidImageName). */
export const parseImageReference = (image: string): ImageReference | undefined => {
  if (!REFERENCE.test(image)) return undefined;
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  return { repository: normalizeName(hasTag ? named.slice(0, colon) : named), tag: tag ?? (digest ? undefined : 'latest'), digest };
};
