import type { ActionDenied, BuildEvent, PreviewTeardownFailed } from '@app/contracts';
import type { BuildSnapshot } from '../builds/build-snapshot';
import type { OutgoingMessage } from '../messages/block-kit';
import { channelStatusMessage } from '../messages/channel-status.blocks';
import { ownerRequestMessage } from '../messages/owner-request.blocks';
import { qaRequestMessage } from '../messages/qa-request.blocks';
import { expiryReminderMessage } from '../messages/expiry-reminder.blocks';
import { productionAnnouncement, rollbackFailedNote, rollbackRequestedNote } from '../messages/production-announcement.blocks';
import {
  denialNote,
  expiredNote,
  ownerApprovalReminderNote,
  ownerProductionFailedNote,
  qaReminderNote,
  productionFailedNote,
  productionRequestedNote,
  readyNote,
  teardownFailedNote,
  verdictNote,
} from '../messages/thread-notes';
import { MessageKeys, type NotificationEffect } from './notification-effects';

/**
 * What Slack should show after `event`, given the build as it stands after it (pure).
 * Every message is rendered from the build snapshot, never from the event alone, so an edit
 * always shows what the event log says as a whole.
 */
export function planNotifications(event: BuildEvent, build: BuildSnapshot): NotificationEffect[] {
  const status = showStatus(build);
  switch (event.type) {
    case 'BuildRegistered':
    case 'PreviewDeploymentRequested':
    case 'PreviewDeploymentFailed':
      return [status];
    case 'PreviewDeployed':
      return [status, ...build.facts.owners.map((o) => showOwner(build, o)), ...build.facts.qa.map((q) => showQa(build, q))];
    case 'QaApproved':
    case 'QaRejected': {
      const qa = event.data.by;
      const verdict = event.type === 'QaApproved' ? 'approved' : 'rejected';
      const reached = event.type === 'QaApproved' && event.data.approvals.length >= event.data.required;
      // The verdict that meets the rule is one reply that says both (BuildApproved then finds it posted).
      const replies = reached
        ? readyReplies(build, verdictNote(build, qa, verdict))
        : build.facts.owners.map((o) => reply('verdict', MessageKeys.owner(o), verdictNote(build, qa, verdict)));
      return [editQa(build, qa), ...replies, ...editOwners(build), status];
    }
    case 'BuildApproved':
      return [...readyReplies(build), ...editOwners(build), status];
    case 'ProductionDeploymentRequested': {
      const { by, attempt, image, rollbackOf } = event.data;
      const note = rollbackOf ? rollbackRequestedNote(by, image) : productionRequestedNote(by);
      return [showProduction(build, attempt, note), ...editOwners(build), status];
    }
    case 'ProductionDeployed': {
      const attempt = build.progress.production?.status === 'deployed' ? build.progress.production.attempt : undefined;
      const announcement = productionAnnouncement(build, event.data.by, event.data.url);
      return [
        attempt ? showProduction(build, attempt, announcement) : reply('production', MessageKeys.channelStatus, announcement, true),
        status,
        ...editOwners(build),
        ...editQas(build),
      ];
    }
    case 'ProductionDeploymentFailed': {
      const { reason, attempt, cause } = event.data;
      // A failed rollback: the owners' DMs keep no retry (the build is still a release); news in the channel thread only.
      if (event.data.rollbackOf) return [showProduction(build, attempt, rollbackFailedNote(reason, attempt, cause)), status];
      return [
        showProduction(build, attempt, productionFailedNote(reason, attempt, cause)),
        status,
        ...editOwners(build),
        ...build.facts.owners.map((o) =>
          reply('production-failed', MessageKeys.owner(o), ownerProductionFailedNote(reason, attempt, cause)),
        ),
      ];
    }
    case 'BuildClosed':
    case 'BuildSuperseded':
      return [status, ...editOwners(build), ...editQas(build), ...editExpiryReminders(build)];
    case 'TimerScheduled':
      return event.data.kind === 'preview-expiry' ? [...editOwners(build), status] : [];
    case 'PreviewKept':
      return [...editOwners(build), ...editExpiryReminders(build), status];
    case 'PreviewExpiryReminded':
      return build.facts.owners.map((o) => showExpiryReminder(build, o, event.data.expiresAt));
    case 'BuildExpired': {
      // Owner DMs exist once the preview came up; a reply under one that was never posted would wait for ever.
      const told =
        build.progress.preview.status === 'deployed'
          ? build.facts.owners.map((o) => reply('expired', MessageKeys.owner(o), expiredNote(build, event.data.why)))
          : [];
      return [status, ...editOwners(build), ...editQas(build), ...editExpiryReminders(build), ...told];
    }
    case 'ApprovalReminded':
      return event.data.audience === 'qa'
        ? event.data.waitingFor
            .filter((q) => build.facts.qa.includes(q))
            .map((q) => reply('reminder', MessageKeys.qa(q), qaReminderNote(build)))
        : build.facts.owners.map((o) => reply('reminder', MessageKeys.owner(o), ownerApprovalReminderNote(event.data.waitingFor)));
    case 'ProductionReplaced': {
      // Every message of the build says it left production; its announcement loses **Roll back**.
      const production = build.progress.production;
      if (production?.status !== 'deployed') return [];
      const announcement: NotificationEffect[] = production.attempt
        ? [
            {
              kind: 'edit',
              message: MessageKeys.production(production.attempt),
              content: productionAnnouncement(build, production.by, production.url),
            },
          ]
        : [];
      return [status, ...announcement, ...editOwners(build), ...editQas(build)];
    }
    case 'PreviewTeardownRequested':
    case 'PreviewRemoved':
      return editOwners(build);
    case 'PreviewTeardownFailed':
      return planTeardownFailure(event, build);
    case 'LateOutcomeRecorded':
      return [];
    case 'ActionDenied':
      return planDenial(event);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** A refused click: the person sees why, where they clicked. Needs no build (it may not exist). */
export const planDenial = (event: ActionDenied): NotificationEffect[] => [
  {
    kind: 'ephemeral',
    key: `denied:${event.data.user}`,
    user: event.data.user,
    channel: event.data.origin.channel,
    content: denialNote(event.data.reason, event.data.people),
  },
];

/**
 * Told where the owners can retry: under their DMs, which show **Close** again. A build whose
 * preview never came up has no owner DMs: the channel thread says it, with nothing to click.
 */
function planTeardownFailure(event: PreviewTeardownFailed, build: BuildSnapshot): NotificationEffect[] {
  const { reason, cause } = event.data;
  if (build.progress.preview.status !== 'deployed') {
    return [reply('teardown', MessageKeys.channelStatus, teardownFailedNote(reason, cause, 'none'))];
  }
  return [
    ...editOwners(build),
    ...build.facts.owners.map((o) => reply('teardown', MessageKeys.owner(o), teardownFailedNote(reason, cause, 'owner-dm'))),
  ];
}

const showStatus = (build: BuildSnapshot): NotificationEffect => ({
  kind: 'show',
  message: MessageKeys.channelStatus,
  to: build.facts.channel,
  content: channelStatusMessage(build),
});

const showOwner = (build: BuildSnapshot, owner: string): NotificationEffect => ({
  kind: 'show',
  message: MessageKeys.owner(owner),
  to: owner,
  content: ownerRequestMessage(build),
});

const showQa = (build: BuildSnapshot, qa: string): NotificationEffect => ({
  kind: 'show',
  message: MessageKeys.qa(qa),
  to: qa,
  content: qaRequestMessage({ build, qa }),
});

const editQa = (build: BuildSnapshot, qa: string): NotificationEffect => ({
  kind: 'edit',
  message: MessageKeys.qa(qa),
  content: qaRequestMessage({ build, qa }),
});

const editOwners = (build: BuildSnapshot): NotificationEffect[] =>
  build.facts.owners.map((o) => ({ kind: 'edit', message: MessageKeys.owner(o), content: ownerRequestMessage(build) }));

/** The reminder replies of the preview's latest reminder, edited to how it ended (kept, expired, closed…). */
const editExpiryReminders = (build: BuildSnapshot): NotificationEffect[] => {
  const remindedFor = build.progress.previewExpiry?.remindedFor;
  if (!remindedFor) return [];
  return build.facts.owners.map((o) => ({
    kind: 'edit',
    message: MessageKeys.expiryReminder(o, remindedFor),
    content: expiryReminderMessage(build, remindedFor),
  }));
};

/** A tracked reply under the owner's DM, so it can lose its **Keep** button later. */
const showExpiryReminder = (build: BuildSnapshot, owner: string, expiresAt: string): NotificationEffect => ({
  kind: 'show',
  message: MessageKeys.expiryReminder(owner, expiresAt),
  to: owner,
  under: MessageKeys.owner(owner),
  content: expiryReminderMessage(build, expiresAt),
});

const editQas = (build: BuildSnapshot): NotificationEffect[] => build.facts.qa.map((q) => editQa(build, q));

/** Once per build under every owner DM: the build is ready (after `verdict`, when a QA verdict made it so). */
const readyReplies = (build: BuildSnapshot, verdict?: OutgoingMessage): NotificationEffect[] =>
  build.facts.owners.map((o) => ({ ...reply('ready', MessageKeys.owner(o), readyNote(build, verdict)), once: 'build' as const }));

/**
 * One reply per production attempt in the status message's thread, also shown in the channel:
 * posted as "deploying…" and edited in place to how the attempt ended.
 */
const showProduction = (build: BuildSnapshot, attempt: number, content: OutgoingMessage): NotificationEffect => ({
  kind: 'show',
  message: MessageKeys.production(attempt),
  to: build.facts.channel,
  under: MessageKeys.channelStatus,
  broadcast: true,
  content,
});

function reply(topic: string, under: string, content: NotificationEffect['content'], broadcast = false): NotificationEffect {
  return { kind: 'reply', key: `${topic}:${under}`, under, content, ...(broadcast ? { broadcast } : {}) };
}
