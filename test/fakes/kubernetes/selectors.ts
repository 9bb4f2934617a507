import type { StoredObject } from './object-meta';
import type { ResourceType } from './resource-types';
import { badRequest } from './status-errors';

/** A compiled `labelSelector` or `fieldSelector`: true when the object is selected. */
export type Selector = (object: StoredObject) => boolean;

type Requirement = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside "(...)". */
const splitTopLevel = (text: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
};

const parseRequirement = (text: string): Requirement => {
  const set = /^([^\s!=<>]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (set) {
    const [, key, op, list] = set;
    const values = list
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return op === 'in' ? (l) => key in l && values.includes(l[key]) : (l) => !(key in l) || !values.includes(l[key]);
  }
  const cmp = /^([^\s!=<>]+)\s*(==|=|!=|>|<)\s*([^\s,]*)$/.exec(text);
  if (cmp) {
    const [, key, op, value] = cmp;
    switch (op) {
      case '!=':
        return (l) => l[key] !== value;
      case '>':
        return (l) => key in l && Number(l[key]) > Number(value);
      case '<':
        return (l) => key in l && Number(l[key]) < Number(value);
      default:
        return (l) => l[key] === value;
    }
  }
  const exists = /^(!?)([^\s!=<>(),]+)$/.exec(text);
  if (exists) {
    const [, not, key] = exists;
    return not ? (l) => !(key in l) : (l) => key in l;
  }
  throw badRequest(`unable to parse requirement: found '${text}', expected: key, '!', '=', '==', '!=', 'in' or 'notin'`);
};

export const parseLabelSelector = (text: string | undefined): Selector => {
  if (!text) return () => true;
  const requirements = splitTopLevel(text).map(parseRequirement);
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((r) => r(labels));
  };
};

/** Field paths the real apiserver accepts per resource (plus metadata.name/namespace everywhere). */
const FIELD_LABELS: Record<string, string[]> = {
  pods: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP'],
  secrets: ['type'],
  namespaces: ['status.phase'],
};

const readPath = (object: unknown, path: string): string => {
  let value: unknown = object;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value === undefined || value === null ? '' : String(value);
};

export const parseFieldSelector = (text: string | undefined, resource: ResourceType): Selector => {
  if (!text) return () => true;
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[resource.plural] ?? [])];
  const checks = splitTopLevel(text).map((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const [, field, op, value] = m;
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return (object: StoredObject) => (op === '!=' ? readPath(object, field) !== value : readPath(object, field) === value);
  });
  return (object) => checks.every((check) => check(object));
};

export const allOf =
  (...selectors: Selector[]): Selector =>
  (object) =>
    selectors.every((s) => s(object));

/** metav1.LabelSelector as kubectl prints it ("app=web,tier in (a,b)"). */
export const formatLabelSelector = (
  selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined,
): string => {
  if (!selector) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(',')})`;
    if (e.operator === 'In') parts.push(`${e.key} in ${values}`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin ${values}`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',') || '<none>';
};
