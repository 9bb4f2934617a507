import type { E2eProject } from '../e2e/support/stack';
import type { SlackFake } from '../fakes/slack';
import { FlowDriver, type FlowRecord } from './flow-driver';
import type { FlowPlan } from './flow-plan';
import { GatewayClient } from './gateway-client';

/**
 * Drives every flow, `concurrency` at a time, each bounded by `flowTimeoutMs`; logs progress
 * every 10 flows. Resolves with every flow's record (none is dropped, even one that failed).
 */
export async function runFlows(
  plans: readonly FlowPlan[],
  projects: readonly E2eProject[],
  gatewayUrl: string,
  slack: SlackFake,
  options: { concurrency: number; flowTimeoutMs: number; thinkMs: { min: number; max: number } },
  log: (line: string) => void,
): Promise<FlowRecord[]> {
  const gateway = new GatewayClient(gatewayUrl);
  const byId = new Map(projects.map((p) => [p.id, p]));
  const records: FlowRecord[] = new Array(plans.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < plans.length) {
      const i = next++;
      const plan = plans[i];
      const driver = new FlowDriver(
        plan,
        byId.get(plan.project)!,
        gateway,
        slack,
        Date.now() + options.flowTimeoutMs,
        () => false,
        options.thinkMs,
      );
      records[i] = await driver.run();
      done++;
      if (records[i].gaveUp) log(`flow ${plan.id} (${plan.kind}, ${plan.project}) given up: ${records[i].gaveUp}`);
      if (done % 10 === 0 || done === plans.length) log(`flows done: ${done}/${plans.length}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, plans.length) }, worker));
  return records;
}
