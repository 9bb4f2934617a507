import type { RolloutContext, RolloutMemory, RolloutPolicy } from './rollout.evaluator';

/**
 * The earliest time the evaluator's verdict can change while nothing changes in the cluster: the
 * request's deadline, or when a failing container will have been failing for `failFastMs`. A
 * watcher that sees every change need not look before then. Pure, like the evaluator.
 */
export function nextDecisionAt(memory: RolloutMemory, context: Pick<RolloutContext, 'deadline'>, policy: RolloutPolicy): number {
  let at = context.deadline;
  for (const since of memory.failingSince.values()) at = Math.min(at, since + policy.failFastMs);
  return at;
}
