import { Module } from '@nestjs/common';
import { RejectModalOpener } from './reject-modal.opener';
import { SlackInteractionsController } from './slack-interactions.controller';
import { SlackInteractions } from './slack-interactions.service';
import { SlackSignatureGuard } from './slack-signature.guard';

/** Slack interactivity: button clicks (signed HTTP requests, or Socket Mode envelopes) become inputs. */
@Module({
  controllers: [SlackInteractionsController],
  providers: [SlackSignatureGuard, SlackInteractions, RejectModalOpener],
  exports: [SlackInteractions],
})
export class SlackModule {}
