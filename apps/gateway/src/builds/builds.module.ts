import { Module } from '@nestjs/common';
import { BranchDeletedController } from './branch-deleted.controller';
import { BuildCompleteController } from './build-complete.controller';

/** CI's webhooks: `POST /build-complete`, `POST /branch-deleted`. */
@Module({ controllers: [BuildCompleteController, BranchDeletedController] })
export class BuildsModule {}
