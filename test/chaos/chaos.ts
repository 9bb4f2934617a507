/**
 * The chaos suite: `npm run chaos -- --flows 20` (see docs/reliability.md). Starts the built
 * services with replicas, drives the flows while faults are injected on a seeded schedule,
 * lets the system settle, audits the event log, the ledger and what the fakes received,
 * prints and records the figures, and exits 1 on anything lost, stuck, doubled or on the wrong digest.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { audit } from './audit/audit';
import { readEvidence } from './audit/evidence';
import { countBy, type Finding } from './audit/findings';
import { parseChaosOptions, USAGE, UsageRequested } from './chaos-options';
import { chaosUnavailable, PREFIX, startChaosStack } from './chaos-stack';
import { FaultInjector } from './fault-injector';
import { chaosProjects, planFlows } from './flow-plan';
import { readServiceLogs, withLogEvidence } from './log-evidence';
import { logFloods } from './log-floods';
import { appendRun, printSummary, type RunSummary } from './report';
import { runFlows } from './run-flows';
import { SeededRandom } from './seeded-random';
import { settle } from './settle';

const log = (line: string): void => void process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<number> {
  const options = parseChaosOptions(process.argv.slice(2), process.env);
  const unavailable = chaosUnavailable();
  if (unavailable) {
    log(`cannot run here: ${unavailable}`);
    return 2;
  }
  const random = new SeededRandom(options.seed);
  const projects = chaosProjects(options.projects);
  const plans = planFlows(options.flows, projects, random.fork(1));
  log(`seed ${options.seed}: ${plans.length} flows over ${projects.length} projects; faults: ${options.faults.join(', ') || 'none'}`);
  const stack = await startChaosStack(options, projects);
  log(`stack up: ${stack.source}, processes ${stack.supervisor.names().join(' ')} (logs in ${stack.logDir})`);
  const started = Date.now();
  let failed = true;
  try {
    const injector = new FaultInjector(stack, options, random.fork(2), started, log);
    const faults = injector.run();
    const records = await runFlows(
      plans,
      projects,
      stack.gatewayUrl,
      stack.slack,
      {
        concurrency: options.concurrency,
        flowTimeoutMs: options.flowTimeoutSeconds * 1000,
        thinkMs: { min: 1_000, max: options.thinkSeconds * 1000 },
      },
      log,
    );
    log('flows driven; lifting every fault');
    injector.stop();
    await faults;
    await stack.supervisor.reviveAll();
    const settled = await settle(stack, options.settleTimeoutSeconds * 1000);
    log(`settled: ${settled.quiet ? 'yes' : 'no'} after ${Math.round(settled.waitedMs / 1000)} s (${JSON.stringify(settled.last)})`);
    for (const line of settled.diagnosis ?? []) log(`  not settled: ${line}`);
    const evidence = await readEvidence(stack.postgres.url, stack.nats.url, PREFIX, stack.slack, stack.kube);
    const result = audit(records, evidence);
    const unsettled: Finding[] = Object.entries(settled.last.consumers)
      .filter(([, n]) => n > 0)
      .map(([consumer, n]) => ({
        category: 'stuck',
        kind: 'consumer-not-drained',
        what: `${consumer} still had ${n} messages to handle ${Math.round(settled.waitedMs / 1000)} s after the faults stopped`,
        evidence: settled.diagnosis,
      }));
    const logs = readServiceLogs(stack.logDir);
    const findings = [...withLogEvidence([...result.findings, ...unsettled], logs, records), ...logFloods(logs)];
    const summary: RunSummary = {
      date: new Date(started).toISOString().slice(0, 16).replace('T', ' '),
      source: stack.source,
      processes: stack.supervisor.names(),
      flows: plans.length,
      projects: projects.length,
      seed: options.seed,
      faultKinds: options.faults,
      faults: injector.countByKind(),
      lost: countBy(findings, 'lost'),
      stuck: countBy(findings, 'stuck'),
      doubled: countBy(findings, 'doubled'),
      wrongDigest: countBy(findings, 'wrong-digest'),
      floods: countBy(findings, 'flood'),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      builds: result.histories.size,
      statuses: result.statuses,
      posts: result.posts,
      clicks: records.reduce((n, r) => n + r.clicks, 0),
      ciCalls: records.reduce((n, r) => n + r.ciCalls, 0),
      flowsGaveUp: records.filter((r) => r.gaveUp).length,
      unplannedExits: stack.supervisor.unplannedExits.length,
      deadLetters: result.deadLetters.length,
      settled: settled.quiet,
    };
    printSummary(summary, findings, (line) => process.stdout.write(`${line}\n`));
    for (const exit of stack.supervisor.unplannedExits.slice(0, 10))
      log(`unplanned exit of ${exit.process} (${exit.status}): ${exit.lastLine}`);
    for (const letter of result.deadLetters.slice(0, 10))
      log(
        `dead letter ${letter.subject} (${letter.type}, build ${letter.correlationId}, ${letter.deliveries} deliveries): ${letter.reason.slice(0, 200)}`,
      );
    if (result.pendingEffects.length)
      log(
        `Slack effects still pending in the ledger: ${result.pendingEffects.length} (e.g. ${JSON.stringify(result.pendingEffects.slice(0, 3))})`,
      );
    writeFileSync(
      join(stack.logDir, 'findings.json'),
      JSON.stringify(
        {
          summary,
          findings,
          flows: records,
          faults: injector.injected,
          exits: stack.supervisor.unplannedExits,
          deadLetters: result.deadLetters,
        },
        null,
        1,
      ),
    );
    writeFileSync(join(stack.logDir, 'slack-messages.json'), JSON.stringify(evidence.slackMessages, null, 1));
    if (options.reportFile) {
      appendRun(options.reportFile, summary, findings);
      log(`run recorded in ${options.reportFile}`);
    }
    failed = summary.lost + summary.stuck + summary.doubled + summary.wrongDigest + summary.floods > 0;
    return failed ? 1 : 0;
  } finally {
    const keep = options.keepLogs || failed;
    await stack.stop(keep);
    if (keep) log(`service logs kept in ${stack.logDir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageRequested) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    process.stderr.write(`chaos run failed: ${(error as Error).stack ?? error}\n`);
    process.exit(2);
  },
);
