import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { HomeController } from './home.controller';
import { HomePublisher } from './home-publisher.service';
import { HomeRefresher } from './home-refresher';

/** The App Home tab: published when a person opens it (the gateway asks), republished when a build of theirs changes. */
@Module({
  imports: [LedgerModule],
  controllers: [HomeController],
  providers: [HomePublisher, HomeRefresher],
  exports: [HomeRefresher],
})
export class HomeModule {}
