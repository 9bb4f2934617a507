import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Refusal } from '../http/refusal';
import { bodyBytes, decodeFields } from '../http/request-body';
import { SlashAnswer } from './slash-answer';
import { SlashCommandGuard } from './slash-command.guard';
import { SlashCommands } from './slash-commands.service';
import { isSslCheck, readSlashRequest } from './slash-request';

/** The Request URL's path of the slash command in the Slack app (README and docs/slack.md manifests). */
export const SLASH_COMMANDS_PATH = 'slack/commands';

/**
 * `POST /slack/commands`: the `/deploybot` slash command over HTTP. Signed like every Slack request
 * (401 otherwise); whatever the person typed is answered 200 with an ephemeral body within Slack's
 * 3 s — a usage line for a typo, "try again" when approvals does not answer in time, never a 4xx
 * or 5xx for what was typed.
 */
@Controller()
export class SlashCommandsController {
  constructor(private readonly commands: SlashCommands) {}

  @Post(SLASH_COMMANDS_PATH)
  @HttpCode(200)
  @UseGuards(SlashCommandGuard)
  async command(@Body() body: unknown, @Headers('content-type') contentType: string | undefined): Promise<SlashAnswer | undefined> {
    const fields = decodeFields(contentType, bodyBytes(body));
    if (isSslCheck(fields)) return undefined;
    const read = readSlashRequest(fields);
    if (!read.ok) throw new Refusal(400, { error: 'invalid slash command', message: read.message });
    return this.commands.answer(read.request);
  }
}
