import { RejectModalIds, SlackActions, type SlackActionId } from '@app/contracts';
import type { SlackFake } from '../fakes/slack';
import { dmOfBuild } from '../e2e/support/slack-views';
import { SIGNING_SECRET, type E2eProject } from '../e2e/support/stack';
import type { FlowPlan } from './flow-plan';
import type { GatewayClient } from './gateway-client';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Read-model statuses after which nobody acts on a build any more. */
export const END_STATUSES = ['in-production', 'replaced', 'rolled-back', 'closed', 'superseded', 'preview-failed'] as const;

/** One build CI reported in a flow. */
export interface ReportedBuild {
  image: string;
  idempotencyKey: string;
  /** The gateway's answer to CI: the request id (undefined if CI never got a 202). */
  requestId?: string;
  buildId?: string;
  /** What the driver last read for it. */
  lastStatus?: string;
}

/** What the driver did and saw; the audit judges the outcome from the log and the fakes. */
export interface FlowRecord {
  plan: FlowPlan;
  builds: ReportedBuild[];
  clicks: number;
  ciCalls: number;
  /** Why the driver stopped before every build ended (timeout, a DM that never came…). */
  gaveUp?: string;
  startedAt: number;
  endedAt?: number;
}

type Intent = 'ship' | 'close' | 'reject' | 'wait' | 'unpullable';

/** How long a person waits for a click to show before clicking again. */
const RECLICK_MS = { promote: 8_000, other: 20_000 };
/** Clicks on Deploy to production after a failed attempt before the owners leave the build failed. */
const MAX_RETRIES = 5;
/** CI sends a build whose preview failed (not an unpullable image) again this many times. */
const MAX_RESENDS = 2;

/**
 * Plays CI and the project's people for one flow, as they would: CI re-sends until it gets a
 * 202; people click only on the DMs they got, and click again when nothing happens. Every wait
 * is bounded by the flow's deadline.
 */
export class FlowDriver {
  private readonly lastClick = new Map<string, number>();
  /** When the driver first saw a build in a status, and how long its person takes to react. */
  private readonly noticed = new Map<string, number>();
  private promotes = 0;
  private retries = 0;

  constructor(
    private readonly plan: FlowPlan,
    private readonly project: E2eProject,
    private readonly gateway: GatewayClient,
    private readonly slack: SlackFake,
    private readonly deadline: number,
    private readonly stopping: () => boolean,
    private readonly thinkMs: { min: number; max: number } = { min: 0, max: 0 },
    readonly record: FlowRecord = { plan, builds: [], clicks: 0, ciCalls: 0, startedAt: Date.now() },
  ) {}

  async run(): Promise<FlowRecord> {
    try {
      const { plan } = this;
      const first = await this.report(plan.images[0], 1);
      if (plan.kind === 'supersede') {
        await this.follow(first, 'wait', (status) => plan.supersedeWhen === 'registered' || status !== 'preview-deploying');
        const newer = await this.report(plan.images[1], 2);
        await this.follow(first, 'wait');
        await this.follow(newer, plan.newerBuild ?? 'ship');
      } else {
        await this.follow(first, plan.kind);
      }
    } catch (error) {
      this.record.gaveUp = (error as Error).message;
    }
    this.record.endedAt = Date.now();
    return this.record;
  }

  /** CI: POST until 202 (same Idempotency-Key), then the build id once approvals registered it. */
  private async report(image: string, n: number, resend = 0): Promise<ReportedBuild> {
    const build: ReportedBuild = { image, idempotencyKey: `chaos-${this.plan.id}-${n}-${resend}` };
    this.record.builds.push(build);
    const form = { project: this.plan.project, image, type: this.plan.type, target: this.plan.target };
    let last = 'no answer yet';
    for (let attempt = 0; !build.requestId; attempt++) {
      this.checkDeadline(`CI never got a 202 for ${image} (last: ${last})`);
      this.record.ciCalls++;
      const answer = await this.gateway.buildComplete(form, build.idempotencyKey);
      last = `${answer.status} ${answer.error ?? JSON.stringify(answer.body)}`.slice(0, 300);
      if (answer.status === 202) build.requestId = answer.body.id;
      else if (answer.status >= 400 && answer.status < 500)
        throw new Error(`CI call refused ${answer.status}: ${JSON.stringify(answer.body)}`);
      else await sleep(Math.min(1_000 * 2 ** attempt, 5_000));
    }
    while (!build.buildId) {
      this.checkDeadline(`CI request ${build.requestId} (${image}) never became a build (last: ${last})`);
      const view = await this.gateway.getBuild(build.requestId);
      last = `${view.status} ${view.error ?? JSON.stringify(view.body)}`.slice(0, 300);
      if (view.status === 200) {
        build.buildId = view.body.id;
        build.lastStatus = view.body.status;
      } else await sleep(1_000);
    }
    return build;
  }

  /**
   * Acts on one build until it ends (or `until` says stop): QA approve or reject from their DM,
   * owners promote (again after a failure) or close from theirs, CI re-sends a failed preview.
   */
  private async follow(build: ReportedBuild, intent: Intent, until?: (status: string) => boolean): Promise<void> {
    let current = build;
    let resends = 0;
    for (;;) {
      this.checkDeadline(`build ${current.buildId} still ${current.lastStatus}`);
      const view = await this.gateway.getBuild(current.buildId!);
      if (view.status !== 200) {
        await sleep(1_000);
        continue;
      }
      const status: string = view.body.status;
      current.lastStatus = status;
      if (until?.(status)) return;
      if (status === 'preview-failed' && (intent === 'ship' || intent === 'close' || intent === 'reject') && resends < MAX_RESENDS) {
        resends++;
        current = await this.report(current.image, this.record.builds.length + 1, resends);
        continue;
      }
      if ((END_STATUSES as readonly string[]).includes(status)) return;
      if (status === 'production-failed' && this.retries >= MAX_RETRIES) return;
      if (this.reacted(`${current.buildId}:${status}`)) await this.act(current.buildId!, status, intent, view.body.verdicts ?? []);
      await sleep(700 + Math.random() * 600);
    }
  }

  private async act(buildId: string, status: string, intent: Intent, verdicts: Array<{ user: string }>): Promise<unknown> {
    const [owner1, owner2] = this.project.owners;
    const owner = this.promotes % 2 === 0 ? owner1 : owner2;
    switch (status) {
      case 'awaiting-qa': {
        if (intent === 'close') return this.click(owner, SlackActions.Close, buildId);
        if (intent === 'reject') return this.reject(this.project.qa![0], buildId);
        if (intent !== 'ship') return;
        const pending = this.project.qa!.filter((q) => !verdicts.some((v) => v.user === q)).slice(0, this.project.approvals?.required ?? 1);
        for (const qa of pending) await this.click(qa, SlackActions.Approve, buildId);
        return;
      }
      case 'rejected':
        return intent === 'wait' ? undefined : this.click(owner, SlackActions.Close, buildId);
      case 'approved':
        if (intent === 'close') return this.click(owner, SlackActions.Close, buildId);
        return intent === 'ship' ? this.click(owner, SlackActions.Promote, buildId) : undefined;
      case 'production-failed':
        if (intent !== 'ship') return undefined;
        if (await this.click(owner, SlackActions.Promote, buildId)) this.retries++;
        return undefined;
      default:
        return undefined;
    }
  }

  /** People take a moment (thinkMs) from seeing a build in a new state to clicking. */
  private reacted(key: string): boolean {
    if (!this.noticed.has(key))
      this.noticed.set(key, Date.now() + this.thinkMs.min + Math.random() * (this.thinkMs.max - this.thinkMs.min));
    return Date.now() >= this.noticed.get(key)!;
  }

  /** A click on the person's own DM for the build (true when made); none while the DM has not arrived. */
  private async click(user: string, actionId: SlackActionId, buildId: string): Promise<boolean> {
    const key = `${actionId}:${buildId}:${user}`;
    const wait = actionId === SlackActions.Promote ? RECLICK_MS.promote : RECLICK_MS.other;
    if (Date.now() - (this.lastClick.get(key) ?? 0) < wait) return false;
    const dm = dmOfBuild(this.slack, user, buildId);
    if (!dm) return false;
    this.lastClick.set(key, Date.now());
    if (actionId === SlackActions.Promote) this.promotes++;
    this.record.clicks++;
    await this.gateway.click({ user, actionId, buildId, channel: dm.channel, messageTs: dm.ts });
    return true;
  }

  /** Reject opens the modal (when the notifier opened it in time): QA submits it with a reason. */
  private async reject(user: string, buildId: string): Promise<boolean> {
    const clicked = await this.click(user, SlackActions.Reject, buildId);
    const modal = this.slack
      .views()
      .find((v) => v.closedAt === undefined && String(v.view.private_metadata).includes(`"buildId":"${buildId}"`));
    if (modal) {
      await this.slack
        .submitView({
          url: `${this.gateway.url}/slack/interactions`,
          signingSecret: SIGNING_SECRET,
          viewId: modal.id,
          user,
          values: { [RejectModalIds.reasonBlockId]: { [RejectModalIds.reasonActionId]: 'chaos: rejected' } },
        })
        .catch(() => undefined); // a gateway that is down: the next turn clicks again
    }
    return clicked;
  }

  private checkDeadline(what: string): void {
    if (Date.now() > this.deadline) throw new Error(`flow deadline passed: ${what}`);
    if (this.stopping()) throw new Error(`run stopped: ${what}`);
  }
}
