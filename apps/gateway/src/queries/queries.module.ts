import { Module } from '@nestjs/common';
import { BuildQueriesController } from './build-queries.controller';

/** Read-only status queries, answered by approvals. */
@Module({ controllers: [BuildQueriesController] })
export class QueriesModule {}
