import { Module } from '@nestjs/common';
import { BuildCompleteRoute } from './build-complete.route';

/** CI's webhook: `POST /build-complete`. */
@Module({ providers: [BuildCompleteRoute] })
export class BuildsModule {}
