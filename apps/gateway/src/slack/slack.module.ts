import { Module } from '@nestjs/common';
import { SlackInteractionsRoute } from './slack-interactions.route';

/** Slack interactivity: signed button clicks become inputs. */
@Module({ providers: [SlackInteractionsRoute] })
export class SlackModule {}
