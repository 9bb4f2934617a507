export { startKubernetesFake } from './kubernetes-api.fake';
export type { KubernetesFake, KubernetesFakeOptions, RecordedRequest } from './kubernetes-api.fake';
export type { KubernetesCondition } from './conditions';
export type { FailureMatch, InjectedStatusCode } from './failure-injection';
export type { ImageBehavior, ImageBehaviorOptions } from './image-behaviors';
export type { ImageRegistry } from './image-registry';
export type { StoredObject, ObjectMeta } from './object-meta';
export type { Status, StatusCause, StatusDetails } from './status-errors';
