import type { ActionKind } from '@app/contracts';

/**
 * Why the decider refused a person's request. The edge turns every refusal into an
 * `ActionDenied` event. `reason` is plain text shown to the person; people in it appear as
 * `@<user id>` and are listed in `people`, and the notifier turns them into mentions.
 */
export abstract class BuildRefusal extends Error {
  abstract readonly kind: 'NotAllowed' | 'IllegalState' | 'NotEnoughApprovals' | 'ProductionBusy' | 'UnknownBuild';

  constructor(
    readonly action: ActionKind | 'register' | 'supersede',
    readonly reason: string,
    readonly people: readonly string[] = [],
  ) {
    super(reason);
  }
}

/** The person does not have the role the action needs. */
export class NotAllowed extends BuildRefusal {
  readonly kind = 'NotAllowed';
}

/** The build is not in a state where the action makes sense. */
export class IllegalState extends BuildRefusal {
  readonly kind = 'IllegalState';
}

/** Promotion before the project's approval rule is met. */
export class NotEnoughApprovals extends BuildRefusal {
  readonly kind = 'NotEnoughApprovals';
}

/** Another production deployment of the project is in flight. */
export class ProductionBusy extends BuildRefusal {
  readonly kind = 'ProductionBusy';
}

/** The input names a build that has no stream. */
export class UnknownBuild extends BuildRefusal {
  readonly kind = 'UnknownBuild';
}

/** `@U1, @U2`: people in a refusal's plain text. */
export const named = (users: readonly string[]): string => users.map((u) => `@${u}`).join(', ');
