import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BuildProgress } from '../builds/build-snapshot';

/*
 * The notifier's ledger, schema `notifier` (created by the migrations, never by synchronize).
 * Renaming a table or column needs a new migration.
 */

export const LEDGER_SCHEMA = 'notifier';

/** What the notifier needs of a build to render its messages: BuildRegistered's facts and the progress since. */
@Entity({ schema: LEDGER_SCHEMA, name: 'builds' })
export class BuildRow {
  @PrimaryColumn({ name: 'build_id', type: 'text' }) buildId!: string;
  @Column({ type: 'text' }) project!: string;
  @Column({ name: 'project_name', type: 'text' }) projectName!: string;
  @Column({ type: 'text' }) type!: 'branch' | 'tag';
  @Column({ type: 'text' }) target!: string;
  @Column({ type: 'text' }) image!: string;
  @Column({ name: 'preview_url', type: 'text' }) previewUrl!: string;
  @Column({ name: 'production_url', type: 'text' }) productionUrl!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ type: 'jsonb' }) qa!: string[];
  @Column({ type: 'jsonb' }) owners!: string[];
  @Column({ name: 'approvals_required', type: 'int' }) approvalsRequired!: number;
  @Column({ type: 'jsonb' }) progress!: BuildProgress;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/**
 * One Slack message deploybot keeps up to date: the channel status message (`channel-status`)
 * or a person's DM (`owner:U…`, `qa:U…`). `conversation` is what Slack answered — the D… id
 * for a DM, which chat.update needs (a user id does not work there).
 */
@Entity({ schema: LEDGER_SCHEMA, name: 'messages' })
export class MessageRow {
  @PrimaryColumn({ name: 'build_id', type: 'text' }) buildId!: string;
  @PrimaryColumn({ name: 'message_key', type: 'text' }) messageKey!: string;
  /** `posted`, or `unreachable` when Slack refused it for good (the reason is in `problem`). */
  @Column({ type: 'text' }) state!: 'posted' | 'unreachable';
  @Column({ type: 'text', nullable: true }) conversation!: string | null;
  @Column({ type: 'text', nullable: true }) ts!: string | null;
  @Column({ type: 'text', nullable: true }) problem!: string | null;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/**
 * A Slack post deploybot set out to make, keyed by (scope, effect key): the scope is the event
 * id, or `build:<id>` for what a build gets once whichever event asks first. `pending` is
 * written before the call, `done` (with where it landed) right after.
 */
@Entity({ schema: LEDGER_SCHEMA, name: 'effects' })
export class EffectRow {
  @PrimaryColumn({ type: 'text' }) scope!: string;
  @PrimaryColumn({ name: 'effect_key', type: 'text' }) effectKey!: string;
  @Column({ name: 'build_id', type: 'text', nullable: true }) buildId!: string | null;
  @Column({ type: 'text' }) state!: 'pending' | 'done';
  @Column({ type: 'int' }) attempts!: number;
  @Column({ type: 'text', nullable: true }) conversation!: string | null;
  @Column({ type: 'text', nullable: true }) ts!: string | null;
  @Column({ name: 'claimed_by', type: 'text', nullable: true }) claimedBy!: string | null;
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true }) claimedUntil!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export const LEDGER_ENTITIES = [BuildRow, MessageRow, EffectRow];
