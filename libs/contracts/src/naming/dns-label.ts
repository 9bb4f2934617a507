import { createHash } from 'node:crypto';

/** The longest name Kubernetes accepts for a label value, a Service, or one DNS label. */
export const MAX_DNS_LABEL_LENGTH = 63;
const HASH_LENGTH = 8;
const VALID_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface DnsLabelOptions {
  /**
   * Service names are DNS-1035 labels: they must start with a letter. Names of workloads use
   * this so one name fits the Deployment, the Service and the route alike.
   */
  startWithLetter?: boolean;
}

/** Whether `value` is a DNS-1123 label (and, with `startWithLetter`, a DNS-1035 label). */
export const isDnsLabel = (value: string, options: DnsLabelOptions = {}): boolean =>
  value.length <= MAX_DNS_LABEL_LENGTH && VALID_LABEL.test(value) && (!options.startWithLetter || /^[a-z]/.test(value));

/**
 * Turns any string (a branch or tag name, `project-type-target`) into a valid DNS label.
 *
 * A string that already is one is returned as is, so everyday names stay readable. Anything
 * else is lowercased, every other character becomes `-`, and a short hash of the *original*
 * string is appended: `feature/Login` and `feature-login` differ only in characters the label
 * cannot hold, and the hash keeps their names apart.
 */
export function toDnsLabel(raw: string, options: DnsLabelOptions = {}): string {
  if (isDnsLabel(raw, options)) return raw;
  const hash = createHash('sha256').update(raw, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  let base = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '');
  if (options.startWithLetter && !/^[a-z]/.test(base)) base = `x-${base}`;
  // Leave room for "-" + hash; a cut may leave a trailing "-", which the label cannot end with.
  base = base.slice(0, MAX_DNS_LABEL_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return base ? `${base}-${hash}` : `x-${hash}`;
}
