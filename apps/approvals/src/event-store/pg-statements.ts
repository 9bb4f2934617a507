import type { QueryResultRow } from 'pg';
import { SqlExecutor, rows } from './sql-executor';

/**
 * A statement the event store runs often enough to prepare once per connection
 * (`name`: pg sends Parse only the first time on each connection). The text of a name
 * must never change at runtime: pg refuses a second text for a prepared name.
 */
export interface PreparedStatement {
  name: string;
  text: string;
}

/** What the store needs back: the rows, and how many rows the statement touched. */
export interface StatementResult<T> {
  rows: T[];
  rowCount: number;
}

/** The pg driver's `query(config)`: implemented by `pg.Pool`, `pg.Client` and pool clients. */
interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: QueryResultRow[]; rowCount: number | null }>;
}

/**
 * Runs a hot statement on the pg connection under a TypeORM executor, prepared, instead of
 * through `executor.query`. Measured on the append and load paths (bench/approvals): the
 * parse and plan of each statement cost more than its execution, and a prepared statement
 * needs pg's `name:` config, which TypeORM's `query(sql, params)` cannot pass.
 *
 * - `EntityManager` of `dataSource.transaction(...)` / a `QueryRunner`: the query runner's
 *   own connection (`connect()` returns the one the transaction runs on), so the statement
 *   stays in that transaction;
 * - `DataSource` (autocommit): the driver's pg pool;
 * - anything else: `executor.query` unprepared (same SQL, same result).
 */
export async function runPrepared<T>(executor: SqlExecutor, statement: PreparedStatement, values: unknown[]): Promise<StatementResult<T>> {
  const connection = await pgConnectionOf(executor);
  if (connection) {
    const result = await connection.query({ name: statement.name, text: statement.text, values });
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  }
  const found = await rows<T>(executor, statement.text, values);
  return { rows: found, rowCount: found.length };
}

/** Duck-typed on purpose: TypeORM does not type its pg connection (`any`) and the store takes any executor. */
async function pgConnectionOf(executor: SqlExecutor): Promise<PgQueryable | undefined> {
  const candidate = executor as {
    queryRunner?: { connect?: () => Promise<unknown> };
    connect?: () => Promise<unknown>;
    driver?: { master?: unknown };
    connection?: { driver?: { master?: unknown } };
  };
  if (candidate.queryRunner?.connect) return asPg(await candidate.queryRunner.connect());
  if (isQueryRunner(candidate)) return asPg(await candidate.connect());
  return asPg(candidate.driver?.master ?? candidate.connection?.driver?.master);
}

const isQueryRunner = (candidate: object): candidate is { connect: () => Promise<unknown> } =>
  'connect' in candidate && typeof candidate.connect === 'function' && 'release' in candidate && 'isReleased' in candidate;

const asPg = (connection: unknown): PgQueryable | undefined =>
  typeof connection === 'object' && connection !== null && typeof (connection as { query?: unknown }).query === 'function'
    ? (connection as PgQueryable)
    : undefined;
