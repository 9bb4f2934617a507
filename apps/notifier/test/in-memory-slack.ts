import type { OutgoingMessage } from '../src/messages/block-kit';
import { classifyPlatformError, SlackCallFailed } from '../src/slack/slack-call-failed';
import type { EphemeralRequest, MessageRef, PostQuery, PostRequest, SlackMessenger } from '../src/slack/slack-messenger.port';

/** The port's calls, by their names on `SlackMessenger`. */
export type SlackCallName = keyof SlackMessenger;
/** The calls a fault can be planned for (`findPost` never fails: see `denyHistory`). */
export type FallibleCall = Exclude<SlackCallName, 'findPost'>;

/** A message as the fake workspace shows it now (after any edits). */
export interface FakeSlackMessage {
  /** The conversation: the channel id, or the D… id of a user's DM. */
  channel: string;
  ts: string;
  /** Set on thread replies only: the parent's ts. */
  threadTs?: string;
  broadcast?: boolean;
  text: string;
  blocks?: OutgoingMessage['blocks'];
  /** The ledger effect the post carried (Slack message metadata in the real adapter). */
  effect?: string;
  edits: number;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
}

/** One call the fake received, in order, with what it was given and how it ended. */
export type ReceivedCall =
  | { call: 'post'; request: PostRequest; outcome: Outcome }
  | { call: 'update'; ref: MessageRef; message: OutgoingMessage; outcome: Outcome }
  | { call: 'postEphemeral'; request: EphemeralRequest; outcome: Outcome }
  | { call: 'findPost'; query: PostQuery; found?: MessageRef };

/** `ok`; `refused` (Slack did nothing); `answer lost` (Slack did it, the caller saw an error). */
export type Outcome = 'ok' | 'refused' | 'answer lost';

type Fault = { kind: 'refuse'; code: string } | { kind: 'lose answer' } | { kind: 'rate limit' };

/**
 * A standing outage, as the Slack fake's conditions: `refused` (connection refused: nothing
 * happens), `server-error` (HTTP 503: nothing happens, though the caller cannot know), `stall`
 * (every call takes effect but its answer never arrives: a timeout).
 */
export type FakeOutage = 'refused' | 'server-error' | 'stall';

/** Which calls a planned fault is for: the next `times` (default 1), only those to `to` when given (a conversation or user id). */
export interface FaultScope {
  times?: number;
  to?: string;
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const SLACK_METHOD: Record<FallibleCall, string> = { post: 'chat.postMessage', update: 'chat.update', postEphemeral: 'chat.postEphemeral' };

/**
 * A hand-written, in-memory SlackMessenger for fast tests of what uses the port (the effect
 * runner): it keeps a workspace of messages, records every call, and fails on request with
 * the `SlackCallFailed` the real adapter would throw. The adapter itself is tested over HTTP
 * against the Slack Web API fake (test/fakes/slack); test/slack-messenger.contract.ts holds
 * both to the same behaviour.
 *
 * Like Slack: a post to a user id lands in their DM, whose D… id the answer names; a thread
 * reply needs its parent; an edit needs the conversation id and ts of an existing message.
 */
export class InMemorySlack implements SlackMessenger {
  private readonly workspace: FakeSlackMessage[] = [];
  private readonly shownOnce: FakeEphemeral[] = [];
  private readonly received: ReceivedCall[] = [];
  private readonly planned: Array<{ call: FallibleCall; fault: Fault; to?: string }> = [];
  private historyDenied = false;
  private outage?: FakeOutage;
  private probes = 0;
  private clock = 0;

  // ---- SlackMessenger

  async post(request: PostRequest): Promise<MessageRef> {
    return this.carryOut(
      'post',
      request.to,
      (outcome) => ({ call: 'post', request, outcome }),
      () => {
        const channel = this.conversationOf(request.to);
        const parent = request.threadTs ? this.find(channel, request.threadTs) : undefined;
        if (request.threadTs && !parent) throw classifyPlatformError('chat.postMessage', 'thread_not_found', request.to);
        const message: FakeSlackMessage = {
          channel,
          ts: this.nextTs(),
          ...(parent ? { threadTs: parent.threadTs ?? parent.ts } : {}),
          ...(parent && request.broadcast ? { broadcast: true } : {}),
          text: request.message.text,
          ...(request.message.blocks ? { blocks: request.message.blocks } : {}),
          ...(request.effect ? { effect: request.effect } : {}),
          edits: 0,
        };
        this.workspace.push(message);
        return { channel, ts: message.ts };
      },
    );
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    this.carryOut(
      'update',
      ref.channel,
      (outcome) => ({ call: 'update', ref, message, outcome }),
      () => {
        const existing = this.find(ref.channel, ref.ts);
        if (!existing) throw classifyPlatformError('chat.update', 'message_not_found', ref.channel);
        existing.text = message.text;
        if (message.blocks?.length) existing.blocks = message.blocks;
        else delete existing.blocks; // the adapter sends `blocks: []`, which removes them
        existing.edits += 1;
      },
    );
  }

  async postEphemeral(request: EphemeralRequest): Promise<void> {
    this.carryOut(
      'postEphemeral',
      request.channel,
      (outcome) => ({ call: 'postEphemeral', request, outcome }),
      () => {
        this.shownOnce.push({ channel: request.channel, user: request.user, text: request.message.text });
      },
    );
  }

  /**
   * As the adapter: by effect, in the conversation's history (top-level messages and broadcast
   * replies) or in the thread `threadTs`; finds nothing while history is denied.
   */
  async findPost(query: PostQuery): Promise<MessageRef | undefined> {
    if (this.outage) {
      // As the adapter: a look-up Slack cannot answer finds nothing.
      this.received.push({ call: 'findPost', query });
      return undefined;
    }
    const channel = this.conversationOf(query.to);
    const inView = (m: FakeSlackMessage) =>
      query.threadTs === undefined ? !m.threadTs || m.broadcast === true : m.threadTs === query.threadTs || m.ts === query.threadTs;
    const match = this.historyDenied
      ? undefined
      : this.workspace.find((m) => m.channel === channel && m.effect === query.effect && inView(m));
    const found = match && { channel, ts: match.ts };
    this.received.push({ call: 'findPost', query, ...(found ? { found } : {}) });
    return found;
  }

  // ---- Faults: each one is used up by the first call it fits

  /**
   * The next call(s) answer Slack's error `code` and do nothing, classified as the adapter
   * classifies it: e.g. `service_unavailable` means Slack is down, `not_in_channel` and `channel_not_found`
   * name an unreachable target, `invalid_auth` a broken setup, `invalid_blocks` a bug.
   */
  failNext(call: FallibleCall, code: string, scope: FaultScope = {}): void {
    this.plan(call, scope, { kind: 'refuse', code });
  }

  /** The next call(s) take effect, but the caller sees a timeout (unavailable, may have been delivered). */
  loseNextAnswer(call: FallibleCall, scope: FaultScope = {}): void {
    this.plan(call, scope, { kind: 'lose answer' });
  }

  /** The next call(s) are rate limited beyond what the adapter waits out: unavailable, certainly not delivered. */
  rateLimitNext(call: FallibleCall, scope: FaultScope = {}): void {
    this.plan(call, scope, { kind: 'rate limit' });
  }

  /** From now on every call fails as when Slack is down (`unavailable`), until `endOutage()`. */
  startOutage(how: FakeOutage = 'refused'): void {
    this.outage = how;
  }

  endOutage(): void {
    this.outage = undefined;
  }

  /** The adapter's `probe` (one auth.test): fails during an outage. */
  async probe(): Promise<void> {
    this.probes += 1;
    if (this.outage) throw outageError('auth.test', this.outage);
  }

  /** How many probes were made. */
  get probeCount(): number {
    return this.probes;
  }

  /** As a token without the `*:history` scopes: `findPost` finds nothing from now on. */
  denyHistory(): void {
    this.historyDenied = true;
  }

  // ---- What the workspace shows, what was received

  /** The D… id of a user's DM with the bot. */
  dmOf(user: string): string {
    return `D${user.slice(1)}`;
  }

  /** Messages now in a conversation (a channel id, a D… id or a user id for their DM), replies included; all when omitted. */
  messages(channelOrUser?: string): FakeSlackMessage[] {
    if (channelOrUser === undefined) return [...this.workspace];
    const channel = this.conversationOf(channelOrUser);
    return this.workspace.filter((m) => m.channel === channel);
  }

  /** Messages of a conversation that are not thread replies. */
  topLevel(channelOrUser: string): FakeSlackMessage[] {
    return this.messages(channelOrUser).filter((m) => !m.threadTs);
  }

  /** Replies under the message `ts`, oldest first. */
  thread(channelOrUser: string, ts: string): FakeSlackMessage[] {
    return this.messages(channelOrUser).filter((m) => m.threadTs === ts);
  }

  /** Ephemeral messages shown, all or those shown to one user. */
  ephemerals(user?: string): FakeEphemeral[] {
    return this.shownOnce.filter((e) => user === undefined || e.user === user);
  }

  /** Every call received, in order, or those of one kind. */
  calls<C extends SlackCallName>(call?: C): Array<Extract<ReceivedCall, { call: C }>> {
    return this.received.filter((c): c is Extract<ReceivedCall, { call: C }> => call === undefined || c.call === call);
  }

  // ---- Carrying calls out

  private plan(call: FallibleCall, { times = 1, to }: FaultScope, fault: Fault): void {
    for (let i = 0; i < times; i++) this.planned.push({ call, fault, ...(to ? { to: this.conversationOf(to) } : {}) });
  }

  /**
   * A call as Slack carries it out, with the first fault planned for it: refused before
   * `effect` runs, or its answer lost after it ran. Recorded either way.
   */
  private carryOut<T>(call: FallibleCall, where: string, received: (outcome: Outcome) => ReceivedCall, effect: () => T): T {
    const fault = this.outage
      ? { error: outageError(SLACK_METHOD[call], this.outage), delivered: this.outage === 'stall' }
      : this.takeFault(call, where);
    let result: T;
    try {
      if (fault && !fault.delivered) throw fault.error;
      result = effect();
    } catch (error) {
      this.received.push(received('refused'));
      throw error;
    }
    this.received.push(received(fault ? 'answer lost' : 'ok'));
    if (fault) throw fault.error;
    return result;
  }

  /** The first fault planned for this call, as the error the adapter would throw for it. */
  private takeFault(call: FallibleCall, where: string): { error: SlackCallFailed; delivered: boolean } | undefined {
    const index = this.planned.findIndex((p) => p.call === call && (p.to === undefined || p.to === this.conversationOf(where)));
    if (index < 0) return undefined;
    const [{ fault }] = this.planned.splice(index, 1);
    const method = SLACK_METHOD[call];
    switch (fault.kind) {
      case 'refuse':
        return { error: classifyPlatformError(method, fault.code, where), delivered: false };
      case 'lose answer':
        return {
          error: new SlackCallFailed(
            method,
            'request_error',
            'unavailable',
            true,
            'timeout of 10000ms exceeded; the event waits until Slack answers again',
          ),
          delivered: true,
        };
      case 'rate limit':
        return {
          error: new SlackCallFailed(
            method,
            'rate_limited',
            'unavailable',
            false,
            'Slack kept answering 429 (rate limited); the event waits until Slack accepts calls again',
          ),
          delivered: false,
        };
      default: {
        const _exhaustive: never = fault;
        return _exhaustive;
      }
    }
  }

  private conversationOf(to: string): string {
    return USER_ID.test(to) ? this.dmOf(to) : to;
  }

  private find(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.workspace.find((m) => m.channel === channel && m.ts === ts);
  }

  private nextTs(): string {
    this.clock += 1;
    return `${1_700_000_000 + this.clock}.000100`;
  }
}

/** What the adapter throws for a call during an outage of this kind. */
function outageError(method: string, outage: FakeOutage): SlackCallFailed {
  switch (outage) {
    case 'refused':
      return new SlackCallFailed(
        method,
        'request_error',
        'unavailable',
        false,
        'connect ECONNREFUSED; the event waits until Slack answers again',
      );
    case 'server-error':
      return new SlackCallFailed(method, 'http_503', 'unavailable', true, 'Slack answered HTTP 503');
    case 'stall':
      return new SlackCallFailed(
        method,
        'request_error',
        'unavailable',
        true,
        'timeout of 10000ms exceeded; the event waits until Slack answers again',
      );
    default: {
      const _exhaustive: never = outage;
      return _exhaustive;
    }
  }
}
