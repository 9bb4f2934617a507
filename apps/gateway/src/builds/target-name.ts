/** Longest branch or tag name accepted (previews are named after it; docs/architecture.md §6). */
export const TARGET_MAX_LENGTH = 200;

/**
 * Checks a branch or tag name after git's check-ref-format rules, plus a length bound
 * and no whitespace at all. Returns what is wrong, or undefined when the name is fine.
 */
export function targetNameProblem(target: string): string | undefined {
  if (target.length === 0) return 'it is empty';
  if (target.length > TARGET_MAX_LENGTH) return `it is longer than ${TARGET_MAX_LENGTH} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(target)) return 'it contains whitespace or control characters';
  if (/[~^:?*[\\]/.test(target)) return 'it contains one of ~ ^ : ? * [ \\';
  if (target.includes('..')) return 'it contains ".."';
  if (target.includes('@{') || target === '@') return 'it contains "@{" or is "@"';
  if (target.startsWith('/') || target.endsWith('/') || target.includes('//'))
    return 'it has an empty path component (leading, trailing or double "/")';
  if (target.endsWith('.')) return 'it ends with "."';
  const components = target.split('/');
  if (components.some((c) => c.startsWith('.'))) return 'a path component starts with "."';
  if (components.some((c) => c.endsWith('.lock'))) return 'a path component ends with ".lock"';
  return undefined;
}
