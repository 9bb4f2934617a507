import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import { Subjects, subjectOfEventType, type BuildEvent } from '@app/contracts';
import { RetryLater, RethrowRpcErrorsFilter } from '@app/platform';
import { buildEvents, CHANNEL, event, facts } from '../../test/build-fixtures';
import { InMemoryLedger } from '../../test/in-memory-ledger';
import { InMemorySlack } from '../../test/in-memory-slack';
import { RecordingLogger } from '../../test/recording-logger';
import { BuildEventsController } from './build-events.controller';
import { EffectRunner } from './effect-runner';
import { FlowsMetrics } from './flows.metrics';
import { NotificationFlows } from './notification.flows';
import { WaitingForSlack } from './waiting-for-slack';

/** A transport that keeps what Nest registered and delivers to it as the JetStream transport does (by subject). */
class InProcessTransport extends Server implements CustomTransportStrategy {
  listen(callback: () => void): void {
    callback();
  }

  close(): void {}

  on(): never {
    throw new Error('not supported');
  }

  unwrap<T>(): T {
    throw new Error('not supported');
  }

  /** The subjects that have an event handler. */
  eventSubjects(): string[] {
    return [...this.getHandlers()].filter(([, handler]) => handler.isEventHandler).map(([subject]) => subject);
  }

  async deliver(payload: BuildEvent): Promise<void> {
    const handler = this.getHandlerByPattern(subjectOfEventType(payload.type)!);
    if (!handler?.isEventHandler) throw new Error(`no event handler for ${payload.type}`);
    await lastValueFrom(this.transformToObservable(await handler(payload)), { defaultValue: undefined });
  }
}

const showedNothing = async (type: string) =>
  (await FlowsMetrics.showedNothing.get()).values.find((v) => v.labels.type === type)?.value ?? 0;

describe('build events: one exhaustive dispatch', () => {
  const transport = new InProcessTransport();
  const slack = new InMemorySlack();
  const ledger = new InMemoryLedger();
  let app: INestMicroservice;
  let logs: RecordingLogger;

  beforeAll(async () => {
    logs = new RecordingLogger();
    const moduleRef = await Test.createTestingModule({
      controllers: [BuildEventsController],
      providers: [
        { provide: NotificationFlows, useValue: new NotificationFlows(ledger, new EffectRunner(ledger, slack)) },
        { provide: WaitingForSlack, useValue: new WaitingForSlack({ retryDelayMs: () => 5_000 }, 24 * 3_600_000, 60_000) },
      ],
    })
      .setLogger(logs)
      .compile();
    app = moduleRef.createNestMicroservice({ strategy: transport });
    // As connectJetStream does: handler errors reach the transport as thrown.
    app.useGlobalFilters(new RethrowRpcErrorsFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => logs.clear());

  it('registers a handler for every domain event subject, so none is acknowledged unread', () => {
    const domainSubjects = Object.values(Subjects).filter((subject) => subject.startsWith('build.'));
    expect(transport.eventSubjects().sort()).toEqual([...domainSubjects].sort());
  });

  it('brings Slack in line with a build event', async () => {
    const e = buildEvents();
    await transport.deliver(e.registered());
    expect(slack.topLevel(CHANNEL)).toEqual([expect.objectContaining({ text: expect.stringContaining('Testing One') })]);
  });

  it('answers a refused click to the person who made it', async () => {
    await transport.deliver(buildEvents().denied('U0STRANGER', 'only owners of Testing One can close builds', 'C0ELSEWHERE'));
    expect(slack.ephemerals('U0STRANGER')).toEqual([
      expect.objectContaining({ text: expect.stringContaining('only owners of Testing One') }),
    ]);
  });

  it('hands an event back to wait while Slack is down, and shows it once when it is back', async () => {
    const e = buildEvents(facts({ buildId: 'b-outage', target: 'outage' }));
    slack.startOutage('refused');
    await expect(transport.deliver(e.registered())).rejects.toBeInstanceOf(RetryLater);
    slack.endOutage();
    await transport.deliver(e.registered());
    expect(slack.topLevel(CHANNEL).filter((m) => m.text.includes('outage'))).toHaveLength(1);
  });

  it('acknowledges a late outcome on purpose: counted and logged at debug, nothing stored or shown', async () => {
    const before = await showedNothing('LateOutcomeRecorded');
    const calls = slack.calls().length;
    const late = event(
      'LateOutcomeRecorded',
      { buildId: 'b-unknown', attemptId: 'b-unknown:production:1', outcome: 'succeeded' },
      9,
      'b-unknown',
    );

    await transport.deliver(late);
    expect(await showedNothing('LateOutcomeRecorded')).toBe(before + 1);
    expect(logs.messages('debug')).toEqual([expect.stringMatching(/^LateOutcomeRecorded shows nothing: .*audit trail/)]);
    expect(slack.calls()).toHaveLength(calls);
    expect(await ledger.findBuild('b-unknown')).toBeUndefined();
  });
});
