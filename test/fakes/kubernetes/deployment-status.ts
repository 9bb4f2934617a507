import { rfc3339 } from './object-meta';

/** Deployment status arithmetic and conditions, as pkg/controller/deployment computes them. */

export interface Condition {
  type: string;
  status: 'True' | 'False';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** intstr "25%" or 1 resolved against replicas; maxUnavailable rounds down, maxSurge rounds up. */
export const resolveIntOrPercent = (value: unknown, replicas: number, roundUp: boolean): number => {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(String(value ?? ''));
  if (!match) return Number(value) || 0;
  const exact = (Number(match[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
};

export const maxUnavailable = (spec: any): number => {
  if (spec?.strategy?.type !== 'RollingUpdate') return 0;
  const replicas: number = spec.replicas ?? 1;
  const resolved = resolveIntOrPercent(spec.strategy.rollingUpdate?.maxUnavailable ?? '25%', replicas, false);
  return Math.min(resolved, replicas);
};

export const maxSurge = (spec: any): number =>
  spec?.strategy?.type === 'RollingUpdate'
    ? resolveIntOrPercent(spec.strategy.rollingUpdate?.maxSurge ?? '25%', spec.replicas ?? 1, true)
    : 0;

/** Replaces the condition of the same type; keeps its times when nothing about it changed. */
export const setCondition = (
  conditions: Condition[],
  next: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'>,
  progressAt?: string,
): Condition[] => {
  const current = conditions.find((c) => c.type === next.type);
  const now = rfc3339();
  const unchanged = current && current.status === next.status && current.reason === next.reason && current.message === next.message;
  const condition: Condition = {
    ...next,
    lastUpdateTime: unchanged ? (progressAt ?? current.lastUpdateTime) : (progressAt ?? now),
    lastTransitionTime: current && current.status === next.status ? current.lastTransitionTime : now,
  };
  const order = ['Available', 'Progressing', 'ReplicaFailure'];
  return [...conditions.filter((c) => c.type !== next.type), condition].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
};

export interface ReplicaCounts {
  /** Sum of the ReplicaSets' spec.replicas. */
  desiredInReplicaSets: number;
  /** Pods that exist, across all ReplicaSets. */
  total: number;
  /** Pods of the new ReplicaSet. */
  updated: number;
  ready: number;
  available: number;
}

/** The numeric part of DeploymentStatus; zero counts are left out, as the apiserver's omitempty does. */
export const replicaStatus = (observedGeneration: number | undefined, counts: ReplicaCounts): Record<string, number> => {
  const unavailable = Math.max(0, counts.desiredInReplicaSets - counts.available);
  const status: Record<string, number | undefined> = {
    observedGeneration,
    replicas: counts.total,
    updatedReplicas: counts.updated,
    readyReplicas: counts.ready,
    availableReplicas: counts.available,
    unavailableReplicas: unavailable,
  };
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined && v !== 0)) as Record<string, number>;
};
