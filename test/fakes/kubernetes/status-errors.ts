import { qualifiedKind, qualifiedResource, type ResourceType } from './resource-types';

/**
 * metav1.Status bodies shaped like kube-apiserver's (k8s.io/apimachinery/pkg/api/errors):
 * field order kind, apiVersion, metadata, status, message, reason, details, code;
 * details.kind is the plural resource except for Invalid, where it is the Kind;
 * details.group is left out for the core group.
 */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Thrown by handlers; the server answers with `status` and its code. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
}

export const failure = (code: number, reason: string, message: string, details?: StatusDetails): Status => {
  const head = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason } as const;
  return details ? { ...head, details, code } : { ...head, code };
};

const resourceDetails = (type: ResourceType, name: string | undefined, kind = type.plural): StatusDetails => {
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (type.group) details.group = type.group;
  details.kind = kind;
  return details;
};

export const notFound = (type: ResourceType, name: string): ApiError =>
  new ApiError(failure(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, resourceDetails(type, name)));

export const alreadyExists = (type: ResourceType, name: string): ApiError =>
  new ApiError(failure(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, resourceDetails(type, name)));

export const conflict = (type: ResourceType, name: string): ApiError =>
  new ApiError(
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      resourceDetails(type, name),
    ),
  );

/** A PUT without metadata.resourceVersion of a type that allows no unconditional update (Lease, custom resources). */
export const resourceVersionRequired = (type: ResourceType, name: string): ApiError => {
  const body = 'Invalid value: 0x0: must be specified for an update';
  // The apiserver builds this one from the resource, not the Kind: "leases.coordination.k8s.io", details.kind "leases".
  return new ApiError(
    failure(422, 'Invalid', `${qualifiedResource(type)} "${name}" is invalid: metadata.resourceVersion: ${body}`, {
      ...resourceDetails(type, name),
      causes: [{ reason: 'FieldValueInvalid', message: body, field: 'metadata.resourceVersion' }],
    }),
  );
};

/** Where etcd keeps the object; delete precondition failures quote it. */
const STORAGE_PREFIX: Record<string, string> = { services: 'services/specs', ingresses: 'ingress' };
const storageKey = (type: ResourceType, namespace: string | undefined, name: string): string => {
  const prefix = type.custom ? `${type.group}/${type.plural}` : (STORAGE_PREFIX[type.plural] ?? type.plural);
  return `/registry/${prefix}/${namespace ? `${namespace}/` : ''}${name}`;
};

/** A delete whose preconditions (uid, resourceVersion) do not hold: the storage layer's invalid-object error, as a Conflict. */
export const preconditionFailed = (
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  field: 'UID' | 'ResourceVersion',
  wanted: string,
  actual: string,
): ApiError => {
  const storageError =
    `StorageError: invalid object, Code: 4, Key: ${storageKey(type, namespace, name)}, ResourceVersion: 0, ` +
    `AdditionalErrorMsg: Precondition failed: ${field} in precondition: ${wanted}, ${field} in object meta: ${actual}`;
  const message = `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${storageError}`;
  return new ApiError(failure(409, 'Conflict', message, resourceDetails(type, name)));
};

/** One entry of a field.ErrorList: "metadata.name: Invalid value: \"x\": <detail>". */
export interface FieldError {
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueTooLong';
  field: string;
  /** The part after "<field>: ", e.g. `Invalid value: "x": must be ...` or `Required value`. */
  body: string;
}

export const invalid = (type: ResourceType, name: string, errors: FieldError[]): ApiError => {
  const parts = errors.map((e) => `${e.field}: ${e.body}`);
  const aggregate = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(
    failure(422, 'Invalid', `${qualifiedKind(type)} "${name}" is invalid: ${aggregate}`, {
      ...resourceDetails(type, name, type.kind),
      causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
    }),
  );
};

/** The apiserver's RBAC denial message, e.g. for verb "patch" on deployments.apps "x" in "default". */
export const forbidden = (
  type: ResourceType,
  verb: string,
  namespace: string | undefined,
  name: string | undefined,
  user: string,
): ApiError => {
  const subject = name ? `${qualifiedResource(type)} "${name}"` : qualifiedResource(type);
  const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
  return new ApiError(
    failure(
      403,
      'Forbidden',
      `${subject} is forbidden: User "${user}" cannot ${verb} resource "${type.plural}" in API group "${type.group}"${scope}`,
      resourceDetails(type, name),
    ),
  );
};

export const badRequest = (message: string): ApiError => new ApiError(failure(400, 'BadRequest', message));

export const unauthorized = (): ApiError => new ApiError(failure(401, 'Unauthorized', 'Unauthorized'));

export const internalError = (message: string): ApiError =>
  new ApiError(failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }));

export const serviceUnavailable = (message = 'the server is currently unable to handle the request'): ApiError =>
  new ApiError(failure(503, 'ServiceUnavailable', message));

export const pathNotFound = (): ApiError => new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));

export const methodNotAllowed = (method: string): ApiError =>
  new ApiError(failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`, {}));

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
];

export const unsupportedMediaType = (contentType: string, accepted: string[] = PATCH_TYPES): ApiError =>
  new ApiError(
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format (${contentType}) - accepted media types include: ${accepted.join(', ')}`,
    ),
  );

/** 410 Gone, sent as an ERROR watch event when a watch asks for history the fake no longer keeps. */
export const expired = (requested: string, oldest: number): Status =>
  failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`);

/** The Status a successful DELETE answers with. */
export const deleted = (type: ResourceType, name: string, uid: string): Status => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details: { ...resourceDetails(type, name), uid },
  code: 200,
});
