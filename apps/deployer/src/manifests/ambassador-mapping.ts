/**
 * Emissary-ingress / Ambassador `Mapping` (getambassador.io/v3alpha1): the route the original ci-bot used.
 * Only the fields deploybot sets; see https://www.getambassador.io/docs/emissary/latest/topics/using/intro-mappings
 */
export interface AmbassadorMapping {
  apiVersion: 'getambassador.io/v3alpha1';
  kind: 'Mapping';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    /** The host this mapping answers for (exact match). */
    hostname: string;
    prefix: string;
    /** `<service>.<namespace>:<port>`. */
    service: string;
    /** Which Ambassador installation serves it; omitted means the default one. */
    ambassador_id?: string[];
  };
}
