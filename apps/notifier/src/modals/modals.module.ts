import { Module } from '@nestjs/common';
import { RejectModalController } from './reject-modal.controller';

/** Modals the gateway asks the notifier to open (the reject modal): Slack's trigger ids are spent within 3 s. */
@Module({ controllers: [RejectModalController] })
export class ModalsModule {}
