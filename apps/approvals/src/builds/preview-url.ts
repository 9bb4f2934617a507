import { createHash } from 'node:crypto';

/**
 * `https://<target>.<type>.<project host>` (DESIGN §1). The target becomes one DNS label:
 * lowercase letters, digits and "-", at most 63 characters (a hash suffix keeps truncated
 * names distinct), e.g. `feature/Login` → `feature-login`.
 */
export const previewUrl = (projectUrl: string, type: 'branch' | 'tag', target: string): string => {
  const base = new URL(projectUrl);
  return `${base.protocol}//${dnsLabel(target)}.${type}.${base.host}`;
};

export const dnsLabel = (value: string): string => {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/-{2,}/g, '-');
  const label = cleaned || 'x';
  if (label.length <= 63) return label;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  return `${label.slice(0, 54).replace(/-+$/, '')}-${hash}`;
};
