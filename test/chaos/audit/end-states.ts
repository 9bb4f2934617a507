import type { FlowRecord } from '../flow-driver';
import type { BuildHistory } from './build-histories';
import type { Evidence } from './evidence';
import type { Finding } from './findings';

/** A shipped build: in production, or a release a later one replaced (or rolled back from). */
export const SHIPPED = ['in-production', 'replaced', 'rolled-back'];

/** Where a build may rest: the owner can see it and nobody needs to do anything more. */
export const END_STATES = ['in-production', 'replaced', 'rolled-back', 'closed', 'superseded', 'preview-failed', 'production-failed'];

/**
 * Nothing lost, nothing stuck, from the log's side: every build CI got a 202 for exists; every
 * build is in an end state (a failed production deployment counts once the owners gave up on
 * it — they were told, which slack-effects.ts checks); no attempt still waits on a deadline,
 * no production lock is left, the read model agrees with the log, and no preview outlives a
 * build that was closed or shipped. A build shipped twice is a double (one announcement, one
 * production rollout per build).
 */
export function auditEndStates(flows: readonly FlowRecord[], histories: ReadonlyMap<string, BuildHistory>, evidence: Evidence): Finding[] {
  const findings: Finding[] = [];
  for (const flow of flows) {
    if (flow.gaveUp)
      findings.push({
        category: 'stuck',
        kind: 'flow-given-up',
        project: flow.plan.project,
        buildId: flow.builds.at(-1)?.buildId,
        what: `the driver gave up on flow ${flow.plan.id} (${flow.plan.kind}): ${flow.gaveUp}`,
      });
    for (const build of flow.builds) {
      if (!build.requestId) continue;
      const buildId = evidence.requests.get(build.requestId) ?? build.buildId;
      if (!buildId || !histories.get(buildId)?.events.some((e) => e.type === 'BuildRegistered')) {
        findings.push({
          category: 'lost',
          kind: 'build',
          project: flow.plan.project,
          what: `CI got 202 for ${build.image} (request ${build.requestId}, flow ${flow.plan.id}) but no build was registered`,
        });
      }
    }
  }
  for (const h of histories.values()) {
    const last = h.events.at(-1)!;
    if (!END_STATES.includes(h.status)) {
      findings.push({
        category: 'stuck',
        kind: 'build-not-ended',
        buildId: h.buildId,
        project: h.project,
        what: `build is ${h.status} (last event ${last.type} v${last.version})`,
      });
    }
    if (h.productionDeployed.length > 1) {
      findings.push({
        category: 'doubled',
        kind: 'production-deployed',
        buildId: h.buildId,
        project: h.project,
        what: `the log has ${h.productionDeployed.length} ProductionDeployed for one build`,
      });
    }
    const model = evidence.readModel.get(h.buildId);
    if (model !== h.status)
      findings.push({
        category: 'stuck',
        kind: 'read-model',
        buildId: h.buildId,
        project: h.project,
        what: `the read model says ${model ?? 'nothing'}, the log ${h.status}`,
      });
  }
  for (const d of evidence.openDeadlines) {
    findings.push({
      category: 'stuck',
      kind: 'open-deadline',
      buildId: d.buildId,
      project: histories.get(d.buildId)?.project,
      what: `attempt ${d.attemptId} (${d.kind}) still has a deadline row after the run settled`,
    });
  }
  for (const lock of evidence.productionLocks) {
    const status = histories.get(lock.buildId)?.status;
    if (status !== 'production-deploying')
      findings.push({
        category: 'stuck',
        kind: 'production-lock',
        buildId: lock.buildId,
        project: lock.project,
        what: `production lock of ${lock.project} still held by a build that is ${status}`,
      });
  }
  findings.push(...leftoverPreviews(histories, evidence.kubeObjects));
  return findings;
}

/** A closed or shipped build's preview Deployment still there, with no teardown failure the owners were told of. */
function leftoverPreviews(histories: ReadonlyMap<string, BuildHistory>, objects: readonly any[]): Finding[] {
  const findings: Finding[] = [];
  for (const d of objects.filter(
    (o) => o.kind === 'Deployment' && !o.metadata.deletionTimestamp && o.metadata.labels?.['deploybot.dev/environment'] === 'preview',
  )) {
    const buildId =
      d.spec?.template?.metadata?.annotations?.['deploybot.dev/build-id'] ?? d.metadata.annotations?.['deploybot.dev/build-id'];
    const h = histories.get(buildId);
    if (!h || !['closed', ...SHIPPED].includes(h.status)) continue;
    const failed =
      h.events.filter((e) => e.type === 'PreviewTeardownFailed').length > h.events.filter((e) => e.type === 'PreviewRemoved').length;
    if (!failed)
      findings.push({
        category: 'stuck',
        kind: 'preview-left',
        buildId,
        project: h.project,
        what: `preview Deployment ${d.metadata.name} still runs although the build is ${h.status}`,
      });
  }
  return findings;
}
