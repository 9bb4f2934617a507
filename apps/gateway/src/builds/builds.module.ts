import { Module } from '@nestjs/common';
import { BuildCompleteController } from './build-complete.controller';

/** CI's webhook: `POST /build-complete`. */
@Module({ controllers: [BuildCompleteController] })
export class BuildsModule {}
