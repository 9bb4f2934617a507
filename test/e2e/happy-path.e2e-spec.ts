import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { clickIn, e2eProject, livePreview } from './support/flows';
import { buttonsOf, readable, topLevel } from './support/slack-views';
import { previewDeployment } from './support/workloads';
import { entryPoint, SERVICES } from './support/built-services';
import { startStack, type Stack } from './support/stack';

/*
 * The whole flow, end to end, with the four built services as separate processes:
 * CI → preview → channel status → DMs → QA approves → owner promotes → production.
 */
describe('deploybot, from CI to production', () => {
  const project = e2eProject('shop', 1);
  const [qa1, qa2] = project.qa!;
  const [owner1, owner2] = project.owners;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ projects: [project] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('deploys a preview, gathers a QA approval and ships the same image to production on an owner click', async () => {
    const image = 'registry.example.org/shop:1.0.0';
    const preview = await livePreview(stack, project, 'staging', image);
    const { buildId } = preview;

    // The preview: Deployment, Service and Ingress, rolled out with the reported image.
    const deployment = previewDeployment(stack, project.id, 'staging');
    const name = deployment.metadata.name;
    expect(deployment.spec.template.spec.containers[0].image).toBe(image);
    expect(deployment.status.availableReplicas).toBe(1);
    expect(deployment.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'deploybot',
      'deploybot.dev/environment': 'preview',
    });
    expect(stack.kube.get('Service', 'default', name)).toBeDefined();
    expect(stack.kube.get('Ingress', 'default', name).spec.rules[0].host).toBe('staging.branch.shop.example.org');

    // One channel status message: first "deploying", edited in place to the preview link.
    const statuses = topLevel(stack.slack, project.channel);
    expect(statuses).toHaveLength(1);
    expect(statuses[0].history.map((v) => v.text).join('\n')).toContain('deploying');
    expect(readable(statuses[0])).toContain('deployed: <https://staging.branch.shop.example.org');

    // Owners get promote/close, QA get approve/reject; every button carries the build id.
    for (const owner of project.owners) {
      expect(buttonsOf(preview.ownerDms[owner])).toEqual([
        { actionId: SlackActions.Promote, value: buildId },
        { actionId: SlackActions.Close, value: buildId },
      ]);
    }
    for (const qa of project.qa!) {
      expect(buttonsOf(preview.qaDms[qa])).toEqual([
        { actionId: SlackActions.Approve, value: buildId },
        { actionId: SlackActions.Reject, value: buildId },
      ]);
    }

    // A QA member approves with a signed click.
    const approve = await clickIn(stack, qa1, preview.qaDms[qa1], SlackActions.Approve, buildId);
    expect(approve.status).toBe(200);
    const qaDm = await stack.waitFor('the QA DM shows the verdict without buttons', () => {
      const dm = stack.slack.messages(qa1).find((m) => m.ts === preview.qaDms[qa1].ts);
      return dm && buttonsOf(dm).length === 0 && dm;
    });
    expect(readable(qaDm)).toContain('You approved this build');
    for (const owner of project.owners) {
      const thread = await stack.waitFor(`${owner} gets the verdict in the thread`, () => {
        const replies = stack.slack.thread(owner, preview.ownerDms[owner].ts);
        return replies.some((r) => r.text.includes(`<@${qa1}> approved this build`)) && replies;
      });
      expect(thread.filter((r) => r.text.includes('approved this build'))).toHaveLength(1);
    }
    // The other QA member still has the buttons.
    expect(buttonsOf(stack.slack.messages(qa2).find((m) => m.ts === preview.qaDms[qa2].ts)!)).toHaveLength(2);

    // An owner promotes.
    const promote = await clickIn(stack, owner1, preview.ownerDms[owner1], SlackActions.Promote, buildId);
    expect(promote.status).toBe(200);
    const production = await stack.waitFor('the production Deployment is rolled out', () => {
      const d = stack.kube.get('Deployment', 'default', 'shop');
      return d?.status?.availableReplicas === 1 && d;
    });
    // The same bits: the digest the preview's pods ran, whatever the tag points to now.
    expect(production.spec.template.spec.containers[0].image).toBe(`registry.example.org/shop@${stack.kube.registry.digestOf(image)}`);
    expect(production.metadata.labels['deploybot.dev/environment']).toBe('production');

    // The channel announces who shipped; every owner DM says so, without buttons.
    await stack.waitFor('the channel announces the production deployment', () =>
      stack.slack.messages(project.channel).some((m) => m.text.includes(`deployed to production by <@${owner1}>`)),
    );
    expect(stack.kube.get('Service', 'default', 'shop')).toBeDefined();
    expect(stack.kube.get('Ingress', 'default', 'shop').spec.rules[0].host).toBe('shop.example.org');
    for (const owner of [owner1, owner2]) {
      const dm = await stack.waitFor(`${owner}'s DM says "Deployed to production"`, () => {
        const m = stack.slack.messages(owner).find((x) => x.ts === preview.ownerDms[owner].ts);
        return m && readable(m).includes('Deployed to production') && m;
      });
      expect(buttonsOf(dm)).toEqual([]);
    }
    const build = await stack.getBuild(buildId);
    expect(build.body).toMatchObject({ status: 'in-production', promotedBy: owner1, image });
  }, 120_000);

  it('runs every service with its memory settings, and the deployer from its bundle', () => {
    // What each running service's command line became after it restarted itself with its settings
    // (libs/platform/src/bootstrap): the deployer and the notifier also optimize for size.
    const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    for (const service of SERVICES) {
      const args = commandLine(stack.services[service].pid!);
      expect(args).toEqual(expect.arrayContaining(['--max-semi-space-size=4', '--max-old-space-size=512', entryPoint(service)]));
      expect(args.includes('--optimize-for-size')).toBe(service === 'deployer' || service === 'notifier');
    }
    // The deployer that just deployed and promoted is the bundle `npm run build` wrote: its own
    // code and the part of @kubernetes/client-node it uses, ≈ 1.5 MB instead of the package's 16 MB.
    const deployer = readFileSync(entryPoint('deployer'), 'utf8');
    expect(deployer.startsWith('// deploybot: the deployer bundled by scripts/bundle-deployer.ts')).toBe(true);
    expect(deployer.length).toBeLessThan(4_000_000);
    expect(deployer).not.toContain('class PromiseCoreV1Api');
  });
});
