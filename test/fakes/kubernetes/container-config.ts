import type { ObjectStore } from './object-store';
import { findByKindName } from './resource-types';

interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}
export interface ContainerEnv {
  env?: { name: string; valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef } }[];
  envFrom?: { secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string; optional?: boolean } }[];
}

/**
 * What the kubelet says when a container's environment names a Secret or ConfigMap (or a key of
 * one) that is not there and is not `optional`: the container then waits in
 * CreateContainerConfigError with this message. Undefined when everything resolves.
 */
export function containerConfigError(store: ObjectStore, namespace: string, container: ContainerEnv): string | undefined {
  const read = (kind: 'Secret' | 'ConfigMap', name: string) => store.get(findByKindName(kind)!, namespace, name);
  const missing = (kind: 'Secret' | 'ConfigMap', name: string) => `${kind.toLowerCase()} "${name}" not found`;
  for (const source of container.envFrom ?? []) {
    const [kind, ref] = source.secretRef ? (['Secret', source.secretRef] as const) : (['ConfigMap', source.configMapRef!] as const);
    if (!ref.optional && !read(kind, ref.name)) return missing(kind, ref.name);
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    const [kind, ref] = from?.secretKeyRef ? (['Secret', from.secretKeyRef] as const) : (['ConfigMap', from?.configMapKeyRef] as const);
    if (!ref || ref.optional) continue;
    const object = read(kind, ref.name);
    if (!object) return missing(kind, ref.name);
    const data: Record<string, unknown> = Object.assign({}, object.data, object.binaryData, object.stringData);
    if (!(ref.key in data)) return `couldn't find key ${ref.key} in ${kind} ${namespace}/${ref.name}`;
  }
  return undefined;
}
