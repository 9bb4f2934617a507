import { quote } from '../http/quote';

/**
 * An image reference after the distribution/reference grammar
 * (github.com/distribution/reference, `reference.go`):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component { "/" path-component }
 *   domain    := host [ ":" port ]
 *
 * deploybot deploys exactly what CI built, so a tag or a digest is required
 * (no implicit `latest`), and the digest must be sha256.
 */
export interface ImageReference {
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
}

export type ImageReferenceCheck = { ok: true; reference: ImageReference } | { ok: false; message: string };

const EXPECTED = 'expected e.g. registry/name:tag or name@sha256:<64 hex>';
const NAME_TOTAL_MAX = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

/** Parses `input` as an image reference; a failure says what is wrong and what was expected. */
export function parseImageReference(input: string): ImageReferenceCheck {
  const refuse = (reason: string): ImageReferenceCheck => ({
    ok: false,
    message: `${quote(input)} is not a valid image reference (${reason}; ${EXPECTED})`,
  });
  if (input.length === 0) return refuse('it is empty');
  if (WHITESPACE_OR_CONTROL.test(input)) return refuse('it contains whitespace or control characters');

  const at = input.indexOf('@');
  const digest = at >= 0 ? input.slice(at + 1) : undefined;
  const nameAndTag = at >= 0 ? input.slice(0, at) : input;
  if (digest !== undefined && !DIGEST.test(digest)) return refuse('the digest must be sha256: followed by 64 lowercase hex digits');

  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  const name = colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
  if (tag !== undefined && !TAG.test(tag))
    return refuse('the tag must be 1-128 letters, digits, "_", "." or "-", not starting with "." or "-"');
  if (tag === undefined && digest === undefined) return refuse('it needs a tag or a digest');

  const { domain, path } = splitDomain(name);
  if (domain !== undefined && !DOMAIN.test(domain)) return refuse(`the registry ${quote(domain)} is not a host[:port]`);
  const components = path.split('/');
  const bad = components.find((c) => !PATH_COMPONENT.test(c));
  if (bad !== undefined) {
    return refuse(
      PATH_COMPONENT.test(bad.toLowerCase())
        ? 'the repository path must be lowercase'
        : 'each repository path component must be lowercase letters and digits, separated by ".", "_", "__" or "-"',
    );
  }
  if (name.length > NAME_TOTAL_MAX) return refuse(`the name is longer than ${NAME_TOTAL_MAX} characters`);
  return { ok: true, reference: { domain, path, tag, digest } };
}

/**
 * The first component is a registry when it looks like a host: it has a "." or ":",
 * is `localhost`, or has capitals (which a repository path never has) — the rule of
 * distribution/reference's splitDomain.
 */
function splitDomain(name: string): { domain?: string; path: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { path: name };
  const first = name.slice(0, slash);
  const looksLikeHost = /[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first;
  return looksLikeHost ? { domain: first, path: name.slice(slash + 1) } : { path: name };
}
