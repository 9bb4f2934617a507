import { Module } from '@nestjs/common';
import { SlackInteractionsController } from './slack-interactions.controller';
import { SlackInteractions } from './slack-interactions.service';
import { SlackSignatureGuard } from './slack-signature.guard';

/** Slack interactivity: button clicks (signed HTTP requests, or Socket Mode envelopes) become inputs. */
@Module({ controllers: [SlackInteractionsController], providers: [SlackSignatureGuard, SlackInteractions], exports: [SlackInteractions] })
export class SlackModule {}
