import type { E2eProject } from '../e2e/support/stack';
import { e2eProject } from '../e2e/support/flows';
import type { SeededRandom } from './seeded-random';

/**
 * What CI and the people of a project do in one flow:
 * - `ship`: QA approves, an owner promotes (again after a failed attempt) → in production;
 * - `close`: an owner closes the preview → closed;
 * - `reject`: QA rejects, an owner closes → closed;
 * - `supersede`: CI sends a newer image of the same target → the first build is superseded,
 *   the newer one is shipped or closed (`newerBuild`);
 * - `unpullable`: the image cannot be pulled → the preview fails, the channel says why.
 */
export type FlowKind = 'ship' | 'close' | 'reject' | 'supersede' | 'unpullable';

export interface FlowPlan {
  id: string;
  project: string;
  kind: FlowKind;
  type: 'branch' | 'tag';
  target: string;
  /** The images CI reports, in order (two for `supersede`). */
  images: string[];
  /** What becomes of the newer build of a `supersede` flow. */
  newerBuild?: 'ship' | 'close';
  /** When CI sends the newer image of a `supersede` flow: once the first build is registered, or once its preview is live. */
  supersedeWhen?: 'registered' | 'live';
}

export const FLOW_WEIGHTS: Record<FlowKind, number> = { ship: 55, close: 12, reject: 6, supersede: 17, unpullable: 10 };

/** The projects of a run: each has its channel, two QA members and two owners; every third needs two approvals. */
export function chaosProjects(count: number): E2eProject[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return e2eProject(`chaos${String(n).padStart(2, '0')}`, n, { name: `Chaos ${n}`, approvals: { required: n % 3 === 0 ? 2 : 1 } });
  });
}

/** `flows` flows spread round-robin over the projects, kinds drawn with FLOW_WEIGHTS (pure, seeded). */
export function planFlows(flows: number, projects: readonly E2eProject[], random: SeededRandom): FlowPlan[] {
  return Array.from({ length: flows }, (_, i) => {
    const project = projects[i % projects.length].id;
    const id = `f${String(i + 1).padStart(3, '0')}`;
    const kind = random.weighted(FLOW_WEIGHTS);
    const type = random.next() < 0.8 ? 'branch' : 'tag';
    const target = type === 'branch' ? random.pick(['feature/', 'fix/', 'chore-']) + id : `v1.${i + 1}.0`;
    const image = (tag: string) => `registry.example.org/${project}/app:${tag}`;
    switch (kind) {
      case 'unpullable':
        return { id, project, kind, type, target, images: [image(`${id}-does-not-exist`)] };
      case 'supersede':
        return {
          id,
          project,
          kind,
          type,
          target,
          images: [image(`${id}-1`), image(`${id}-2`)],
          newerBuild: random.next() < 0.75 ? 'ship' : 'close',
          supersedeWhen: random.next() < 0.3 ? 'registered' : 'live',
        };
      default:
        return { id, project, kind, type, target, images: [image(`${id}-1`)] };
    }
  });
}
