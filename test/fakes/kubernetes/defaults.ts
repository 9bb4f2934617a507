import { isPlainObject, type StoredObject } from './object-meta';

/**
 * The apiserver's defaulting for the fields a reader is likely to look at. Idempotent, so an object
 * that went through it once compares equal after a re-apply of the same config.
 */

type Obj = Record<string, any>;

const setDefault = (target: Obj, key: string, value: unknown): void => {
  if (target[key] === undefined) target[key] = value;
};

const imageTag = (image: string): string | undefined => {
  const lastPart = image.split('/').pop() ?? image;
  if (lastPart.includes('@')) return 'digest';
  return lastPart.includes(':') ? lastPart.split(':').pop() : undefined;
};

const defaultContainer = (container: Obj): void => {
  const tag = typeof container.image === 'string' ? imageTag(container.image) : undefined;
  setDefault(container, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(container, 'resources', {});
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  for (const port of container.ports ?? []) if (isPlainObject(port)) setDefault(port, 'protocol', 'TCP');
};

export const defaultPodSpec = (spec: Obj): void => {
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) if (isPlainObject(c)) defaultContainer(c);
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
};

const defaultDeployment = (spec: Obj): void => {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  setDefault(spec, 'strategy', {});
  setDefault(spec.strategy, 'type', 'RollingUpdate');
  if (spec.strategy.type === 'RollingUpdate') {
    setDefault(spec.strategy, 'rollingUpdate', {});
    setDefault(spec.strategy.rollingUpdate, 'maxSurge', '25%');
    setDefault(spec.strategy.rollingUpdate, 'maxUnavailable', '25%');
  }
  if (isPlainObject(spec.template)) {
    setDefault(spec.template, 'metadata', {});
    setDefault(spec.template, 'spec', {});
    defaultPodSpec(spec.template.spec);
  }
};

/** Cluster IPs are handed out once, on create; `allocateIp` supplies the next free one. */
const defaultService = (spec: Obj, allocateIp: () => string): void => {
  setDefault(spec, 'type', 'ClusterIP');
  if (spec.type !== 'ExternalName') {
    if (spec.clusterIP === undefined) spec.clusterIP = allocateIp();
    setDefault(spec, 'clusterIPs', [spec.clusterIP]);
    setDefault(spec, 'ipFamilies', ['IPv4']);
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  }
  setDefault(spec, 'sessionAffinity', 'None');
  for (const port of spec.ports ?? []) {
    if (!isPlainObject(port)) continue;
    setDefault(port, 'protocol', 'TCP');
    setDefault(port, 'targetPort', port.port);
  }
};

const defaultIngress = (spec: Obj): void => {
  for (const rule of spec.rules ?? []) {
    for (const path of rule?.http?.paths ?? []) if (isPlainObject(path)) setDefault(path, 'pathType', 'ImplementationSpecific');
  }
};

export interface DefaultingContext {
  allocateClusterIp: () => string;
}

/** Fills defaults in place and returns the object. */
export const applyDefaults = (object: StoredObject, context: DefaultingContext): StoredObject => {
  const spec: Obj | undefined = isPlainObject(object.spec) ? object.spec : undefined;
  switch (object.kind) {
    case 'Deployment':
      if (spec) defaultDeployment(spec);
      object.status ??= {};
      break;
    case 'ReplicaSet':
      if (spec) {
        setDefault(spec, 'replicas', 1);
        if (isPlainObject(spec.template?.spec)) defaultPodSpec(spec.template.spec);
      }
      object.status ??= { replicas: 0 };
      break;
    case 'Pod':
      if (spec) defaultPodSpec(spec);
      object.status ??= { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case 'Service':
      if (spec) defaultService(spec, context.allocateClusterIp);
      object.status ??= { loadBalancer: {} };
      break;
    case 'Ingress':
      if (spec) defaultIngress(spec);
      object.status ??= { loadBalancer: {} };
      break;
    case 'Namespace':
      object.spec ??= { finalizers: ['kubernetes'] };
      object.status ??= { phase: 'Active' };
      break;
    case 'Secret':
      setDefault(object, 'type', 'Opaque');
      if (isPlainObject(object.stringData)) {
        const encoded = Object.entries(object.stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]);
        object.data = { ...(object.data as Obj | undefined), ...Object.fromEntries(encoded) };
        delete object.stringData;
      }
      break;
  }
  if (object.kind === 'Namespace') {
    object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name };
  }
  return object;
};
