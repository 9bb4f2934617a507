import { Module } from '@nestjs/common';
import { SlackSignatureGuard } from '../slack/slack-signature.guard';
import { ApprovalsQueries } from './approvals-queries.service';
import { SlashCommandGuard } from './slash-command.guard';
import { SlashCommandsController } from './slash-commands.controller';
import { SlashCommands } from './slash-commands.service';

/** The `/deploybot` slash command: signed requests (or Socket Mode envelopes), read-model queries to approvals, ephemeral answers. */
@Module({
  controllers: [SlashCommandsController],
  providers: [SlackSignatureGuard, SlashCommandGuard, ApprovalsQueries, SlashCommands],
  exports: [SlashCommands],
})
export class SlashCommandsModule {}
