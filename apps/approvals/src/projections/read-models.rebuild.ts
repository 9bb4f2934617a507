import type { BuildEvent } from '@app/contracts';
import type { DataSource } from 'typeorm';
import { rows } from '../event-store/sql-executor';
import { EventRow, recordedEvent } from '../event-store/stored-event';
import { buildIdOfStream } from '../commands/build-streams';
import { BuildRow, projectBuild } from './build-view.projection';
import { saveBuildRow } from './builds.table';

const PAGE = 1_000;

/**
 * Rebuilds the builds read model by replaying the whole log from position zero through
 * the same fold the append path uses, in one transaction (readers see the old rows until
 * it commits). Use after changing the projection: `rebuildReadModels(dataSource)`.
 */
export async function rebuildReadModels(dataSource: DataSource): Promise<{ events: number; builds: number }> {
  return dataSource.transaction(async (em) => {
    // Appends wait while the model is rebuilt, so none slips between the replay and the commit.
    await em.query(`LOCK TABLE approvals.builds IN ACCESS EXCLUSIVE MODE`);
    await em.query(`TRUNCATE approvals.builds`);
    const builds = new Map<string, BuildRow>();
    let after = '0';
    let count = 0;
    for (;;) {
      const page = await rows<EventRow>(
        em,
        `SELECT position::text AS position, stream_id, stream_version, type, data, metadata
           FROM approvals.events WHERE position > $1::bigint ORDER BY events.position LIMIT ${PAGE}`,
        [after],
      );
      for (const row of page) {
        const buildId = buildIdOfStream(row.stream_id);
        if (!buildId) continue;
        const next = projectBuild(builds.get(buildId), recordedEvent(row) as unknown as BuildEvent);
        if (next) builds.set(buildId, next);
      }
      count += page.length;
      if (page.length < PAGE) break;
      after = page[page.length - 1].position;
    }
    for (const row of builds.values()) await saveBuildRow(em, row);
    return { events: count, builds: builds.size };
  });
}
