import { isPlainObject, type StoredObject } from './object-meta';
import type { ResourceType } from './resource-types';
import { badRequest } from './status-errors';

/**
 * metav1.MicroTime fields. The apiserver decodes them with Go's RFC3339Micro layout, which wants exactly
 * six fractional digits, and writes them back in UTC. A JavaScript Date serializes with three
 * ("2026-12-06T22:00:00.000Z") and is refused with 400 on a real cluster, so here too;
 * client-node's V1MicroTime writes six.
 */
const LAYOUT = '2006-01-02T15:04:05.000000Z07:00';
const MICRO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})(Z|[+-]\d{2}:\d{2})$/;

/** The MicroTime fields under `spec`, by kind. */
const SPEC_FIELDS: Record<string, string[]> = { Lease: ['acquireTime', 'renewTime'] };

/** The detail of Go's time.ParseError: the first part of `text` that does not fit the layout. */
const parseFailure = (text: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(text)) return `cannot parse "${text}" as "2006"`;
  const rest = text.slice(19);
  if (!/^\.\d{6}/.test(rest)) return `cannot parse "${rest}" as ".000000"`;
  return `cannot parse "${rest.slice(7)}" as "Z07:00"`;
};

/** Rewrites the object's MicroTime fields in UTC, or throws the 400 the apiserver's decoder answers with. */
export const normalizeMicroTimes = (resource: ResourceType, object: StoredObject): void => {
  const spec: unknown = object.spec;
  if (!isPlainObject(spec)) return;
  for (const field of SPEC_FIELDS[resource.kind] ?? []) {
    if (spec[field] === null) delete spec[field];
    if (spec[field] === undefined) continue;
    const text = String(spec[field]);
    const match = MICRO_TIME.exec(text);
    const seconds = match ? new Date(`${match[1]}${match[3]}`) : undefined;
    if (!match || !seconds || Number.isNaN(seconds.getTime())) {
      const detail = match ? 'out of range' : parseFailure(text);
      const { kind, version } = resource;
      throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: parsing time "${text}" as "${LAYOUT}": ${detail}`);
    }
    spec[field] = `${seconds.toISOString().slice(0, 19)}.${match[2]}Z`;
  }
};
