import { isPlainObject, type StoredObject } from './object-meta';
import type { ResourceType } from './resource-types';
import { invalid, type FieldError } from './status-errors';

/** Validation with kube-apiserver's wording (k8s.io/apimachinery/pkg/util/validation), for the mistakes a deployer can make. */

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_1123_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  body: `Invalid value: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}: ${detail}`,
});

const required = (field: string): FieldError => ({ type: 'FieldValueRequired', field, body: 'Required value' });

const checkName = (field: string, value: string, pattern: RegExp, message: string, max: number): FieldError[] => [
  ...(value.length > max ? [invalidValue(field, value, `must be no more than ${max} characters`)] : []),
  ...(pattern.test(value) ? [] : [invalidValue(field, value, message)]),
];

/** Which rule a resource's metadata.name follows. */
const nameRule = (resource: ResourceType): [RegExp, string, number] => {
  if (resource.kind === 'Service') return [DNS1035_LABEL, LABEL_1035_MSG, 63];
  if (resource.kind === 'Namespace') return [DNS1123_LABEL, LABEL_1123_MSG, 63];
  return [DNS1123_SUBDOMAIN, SUBDOMAIN_MSG, 253];
};

const checkLabels = (field: string, labels: unknown): FieldError[] => {
  if (!isPlainObject(labels)) return [];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const [prefix, name] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : [undefined, key];
    if (prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix)) errors.push(invalidValue(field, key, `prefix part ${SUBDOMAIN_MSG}`));
    if (name.length > 63) errors.push(invalidValue(field, key, 'name part must be no more than 63 characters'));
    if (!QUALIFIED_NAME_PART.test(name)) errors.push(invalidValue(field, key, NAME_PART_MSG));
    const text = String(value);
    if (text.length > 63) errors.push(invalidValue(field, text, 'must be no more than 63 characters'));
    if (!LABEL_VALUE.test(text)) errors.push(invalidValue(field, text, LABEL_VALUE_MSG));
  }
  return errors;
};

const checkPodSpec = (path: string, spec: any): FieldError[] => {
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${path}.containers`)];
  return containers.flatMap((c: any, i: number) => {
    const at = `${path}.containers[${i}]`;
    const errors: FieldError[] = [];
    if (!c?.name) errors.push(required(`${at}.name`));
    else errors.push(...checkName(`${at}.name`, String(c.name), DNS1123_LABEL, LABEL_1123_MSG, 63));
    if (!c?.image || !String(c.image).trim()) errors.push(required(`${at}.image`));
    return errors;
  });
};

/** Go's %#v of a map[string]string, as the selector-mismatch message prints it. */
const goMap = (labels: Record<string, string>): string =>
  `map[string]string{${Object.keys(labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`)
    .join(', ')}}`;

const checkWorkload = (spec: any): FieldError[] => {
  if (!isPlainObject(spec)) return [required('spec.selector'), required('spec.template.spec.containers')];
  const errors: FieldError[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0)
    errors.push(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  const matchLabels: Record<string, string> = spec.selector?.matchLabels ?? {};
  const templateLabels: Record<string, string> = spec.template?.metadata?.labels ?? {};
  if (!spec.selector || (!Object.keys(matchLabels).length && !(spec.selector.matchExpressions ?? []).length)) {
    errors.push(required('spec.selector'));
  } else if (!Object.entries(matchLabels).every(([k, v]) => templateLabels[k] === v)) {
    errors.push(invalidValue('spec.template.metadata.labels', goMap(templateLabels), '`selector` does not match template `labels`'));
  }
  errors.push(...checkLabels('spec.template.metadata.labels', templateLabels));
  errors.push(...checkPodSpec('spec.template.spec', spec.template?.spec));
  return errors;
};

const checkService = (spec: any): FieldError[] => {
  if (spec?.type === 'ExternalName' || spec?.clusterIP === 'None') return [];
  const ports = spec?.ports;
  if (!Array.isArray(ports) || ports.length === 0) return [required('spec.ports')];
  return ports.flatMap((p: any, i: number) => {
    if (p?.port === undefined) return [required(`spec.ports[${i}].port`)];
    const port = Number(p.port);
    return Number.isInteger(port) && port >= 1 && port <= 65535
      ? []
      : [invalidValue(`spec.ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive')];
  });
};

const checkLease = (spec: any): FieldError[] => {
  const errors: FieldError[] = [];
  const { leaseDurationSeconds: duration, leaseTransitions: transitions } = spec ?? {};
  if (typeof duration === 'number' && duration <= 0)
    errors.push(invalidValue('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  if (typeof transitions === 'number' && transitions < 0)
    errors.push(invalidValue('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return errors;
};

/** Throws a 422 Invalid Status listing every problem, like the apiserver does. */
export const validate = (resource: ResourceType, object: StoredObject): void => {
  const name = object.metadata?.name ?? '';
  const [pattern, message, max] = nameRule(resource);
  const errors: FieldError[] = [
    ...checkName('metadata.name', name, pattern, message, max),
    ...checkLabels('metadata.labels', object.metadata?.labels),
  ];
  if (resource.kind === 'Deployment' || resource.kind === 'ReplicaSet') errors.push(...checkWorkload(object.spec));
  if (resource.kind === 'Pod') errors.push(...checkPodSpec('spec', object.spec));
  if (resource.kind === 'Service') errors.push(...checkService(object.spec));
  if (resource.kind === 'Lease') errors.push(...checkLease(object.spec));
  if (errors.length) throw invalid(resource, name, errors);
};

/** Go's %#v of a metav1.LabelSelector, as the "field is immutable" message prints it. */
const goLabelSelector = (selector: any): string => {
  const labels = selector?.matchLabels
    ? `map[string]string{${Object.keys(selector.matchLabels)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(selector.matchLabels[k])}`)
        .join(', ')}}`
    : 'map[string]string(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`;
};

/** Rules that compare with the stored object: an apps/v1 workload's selector can never change. */
export const validateUpdate = (resource: ResourceType, live: StoredObject, next: StoredObject): void => {
  if (resource.kind !== 'Deployment' && resource.kind !== 'ReplicaSet') return;
  if (JSON.stringify(live.spec?.selector ?? null) === JSON.stringify(next.spec?.selector ?? null)) return;
  throw invalid(resource, next.metadata.name, [
    {
      type: 'FieldValueInvalid',
      field: 'spec.selector',
      body: `Invalid value: ${goLabelSelector(next.spec?.selector)}: field is immutable`,
    },
  ]);
};
