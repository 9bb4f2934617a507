import { z } from 'zod';

/*
 * How a project's containers run: environment, Secret and ConfigMap references, command,
 * probes, security context, extra labels and annotations. Set per project, and overridden per
 * environment under `environments.preview` / `environments.production` (project-workload.ts
 * merges them). Part of the projects file, the operator's contract: renaming a field breaks
 * their config. Only references to Secrets are accepted: their values never pass through deploybot.
 */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The name of a Secret or ConfigMap in the workload's namespace. */
const ObjectName = z
  .string()
  .max(253, 'expected at most 253 characters')
  .regex(DNS_SUBDOMAIN, 'expected the name of a Secret or ConfigMap (lowercase letters, digits, "-" and ".")');

/** `prefix/name` or `name`, as label and annotation keys are spelled. */
const isQualifiedName = (key: string): boolean => {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  return prefixOk && name.length <= 63 && LABEL_NAME.test(name);
};

/** deploybot's own keys: teardown and the rollout watch select by them, so a project may not set them. */
const isReservedKey = (key: string): boolean =>
  key === 'app.kubernetes.io/managed-by' || key === 'app.kubernetes.io/name' || key.startsWith('deploybot.dev/');

/** What is wrong with a label or annotation key, if anything. */
const metadataKeyProblem = (key: string): string | undefined => {
  if (!isQualifiedName(key))
    return 'expected a key like example.com/team or team (a DNS prefix and "/", then at most 63 letters, digits, "-", "_", ".")';
  if (isReservedKey(key)) return 'is set by deploybot (app.kubernetes.io/managed-by, app.kubernetes.io/name, deploybot.dev/*)';
  return undefined;
};

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const envNameProblem = (name: string): string | undefined =>
  ENV_NAME.test(name) ? undefined : 'expected an environment variable name like LOG_LEVEL';

/** A map whose keys are checked too, each problem reported at its key (zod's own says only "Invalid key in record"). */
const recordOf = <V extends z.ZodType>(keyProblem: (key: string) => string | undefined, value: V) =>
  z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const message = keyProblem(key);
      if (message) ctx.addIssue({ code: 'custom', path: [key], message });
    }
  });

const Labels = recordOf(
  metadataKeyProblem,
  z
    .string()
    .max(63, 'expected a label value of at most 63 characters')
    .regex(LABEL_VALUE, 'expected a label value (letters, digits, "-", "_", ".")'),
);
const Annotations = recordOf(metadataKeyProblem, z.string());

const KeyRef = z
  .object({
    name: ObjectName,
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'expected a key of the Secret or ConfigMap (letters, digits, "-", "_", ".")'),
    optional: z.boolean().optional(),
  })
  .strict();

const EnvRef = z
  .object({ secretKeyRef: KeyRef.optional(), configMapKeyRef: KeyRef.optional() })
  .strict()
  .refine((v) => (v.secretKeyRef ? 1 : 0) + (v.configMapKeyRef ? 1 : 0) === 1, 'expected exactly one of secretKeyRef or configMapKeyRef');

/** A plain value, or a reference to one key of a Secret or ConfigMap. */
export type EnvValue = string | z.output<typeof EnvRef>;

const isScalar = (value: unknown): value is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof value);

/**
 * `NAME: value` (numbers and booleans are written as text) or `NAME: { secretKeyRef: { name, key } }`
 * / `{ configMapKeyRef: … }`. Checked by hand rather than as a union, so a wrong reference is
 * reported at its own field instead of zod's "Invalid input".
 */
const Env = recordOf(envNameProblem, z.unknown())
  .superRefine((env, ctx) => {
    for (const [name, value] of Object.entries(env)) {
      if (isScalar(value)) continue;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const parsed = EnvRef.safeParse(value);
        for (const issue of parsed.error?.issues ?? [])
          ctx.addIssue({ code: 'custom', path: [name, ...issue.path], message: issue.message });
        continue;
      }
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message:
          'expected a value (text, a number, true or false) or { secretKeyRef: { name, key } } or { configMapKeyRef: { name, key } }',
      });
    }
  })
  .transform(
    (env): Record<string, EnvValue> =>
      Object.fromEntries(Object.entries(env).map(([name, value]) => [name, isScalar(value) ? String(value) : EnvRef.parse(value)])),
  );

const EnvName = z.string().regex(ENV_NAME, 'expected an environment variable name prefix like APP_');

const EnvFromSource = z
  .object({
    secretRef: ObjectName.optional(),
    configMapRef: ObjectName.optional(),
    prefix: EnvName.optional(),
    optional: z.boolean().optional(),
  })
  .strict()
  .refine((v) => (v.secretRef ? 1 : 0) + (v.configMapRef ? 1 : 0) === 1, 'expected exactly one of secretRef or configMapRef');

const Port = z.number().int().min(1, 'expected a port from 1 to 65535').max(65535, 'expected a port from 1 to 65535');

const Probe = z
  .object({
    /** An HTTP GET of `path` on `port` (default: the project's port); 200–399 is healthy. */
    http: z
      .object({ path: z.string().startsWith('/', 'expected a path starting with "/"'), port: Port.optional() })
      .strict()
      .optional(),
    /** A command run in the container; exit code 0 is healthy. */
    exec: z
      .object({ command: z.array(z.string()).min(1, 'expected the command and its arguments') })
      .strict()
      .optional(),
    initialDelaySeconds: z.number().int().min(0).optional(),
    periodSeconds: z.number().int().min(1).optional(),
    timeoutSeconds: z.number().int().min(1).optional(),
    failureThreshold: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((p) => (p.http ? 1 : 0) + (p.exec ? 1 : 0) === 1, 'expected exactly one of http or exec');

const Capability = z.string().regex(/^[A-Z][A-Z_]*$/, 'expected a capability name like NET_BIND_SERVICE or ALL');

/**
 * Loosens or tightens the defaults, which pass the "restricted" Pod Security Standard:
 * runAsNonRoot true, allowPrivilegeEscalation false, capabilities.drop [ALL], seccompProfile RuntimeDefault.
 */
const SecurityContext = z
  .object({
    runAsNonRoot: z.boolean().optional(),
    runAsUser: z.number().int().min(0).optional(),
    runAsGroup: z.number().int().min(0).optional(),
    fsGroup: z.number().int().min(0).optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
    privileged: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    capabilities: z
      .object({ add: z.array(Capability).optional(), drop: z.array(Capability).optional() })
      .strict()
      .optional(),
    seccompProfile: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined']).optional(),
    /** The profile's path on the node, with seccompProfile: Localhost. */
    localhostProfile: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.seccompProfile === 'Localhost') !== (s.localhostProfile !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['localhostProfile'],
        message: 'expected localhostProfile exactly when seccompProfile is Localhost',
      });
  });

const Quantity = z.union([z.string().regex(/^[0-9.]+[a-zA-Z]*$/, 'expected a Kubernetes quantity like 100m or 128Mi'), z.number()]);
const ResourceList = z.object({ cpu: Quantity.optional(), memory: Quantity.optional() }).strict();
export const Resources = z.object({ requests: ResourceList.optional(), limits: ResourceList.optional() }).strict();

/** The workload fields a project sets, and each environment may override. */
export const workloadFields = {
  env: Env.optional(),
  envFrom: z.array(EnvFromSource).optional(),
  command: z.array(z.string()).min(1, "expected the command and its arguments (or leave it out to run the image's entrypoint)").optional(),
  args: z.array(z.string()).optional(),
  readinessProbe: Probe.optional(),
  livenessProbe: Probe.optional(),
  securityContext: SecurityContext.optional(),
  labels: Labels.optional(),
  annotations: Annotations.optional(),
};

/** `environments.preview` / `environments.production`: what differs from the project's settings. */
export const EnvironmentOverrides = z
  .object({
    ...workloadFields,
    replicas: z.number().int().min(0).max(50).optional(),
    resources: Resources.optional(),
  })
  .strict();

export const Environments = z
  .object({ preview: EnvironmentOverrides.optional(), production: EnvironmentOverrides.optional() })
  .strict()
  .optional();

export type WorkloadFields = z.output<z.ZodObject<typeof workloadFields>>;
export type EnvironmentOverrides = z.output<typeof EnvironmentOverrides>;
export type EnvFromSource = z.output<typeof EnvFromSource>;
export type ProbeConfig = z.output<typeof Probe>;
export type SecurityContextConfig = z.output<typeof SecurityContext>;
export type ResourcesConfig = z.output<typeof Resources>;
