import { Module } from '@nestjs/common';
import { SlackInteractionsController } from './slack-interactions.controller';
import { SlackSignatureGuard } from './slack-signature.guard';

/** Slack interactivity: signed button clicks become inputs. */
@Module({ controllers: [SlackInteractionsController], providers: [SlackSignatureGuard] })
export class SlackModule {}
