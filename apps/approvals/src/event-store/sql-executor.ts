/**
 * The one call the event store and the read models need from a connection: run SQL and
 * get rows back. A TypeORM `EntityManager` inside `dataSource.transaction(...)` or a
 * `QueryRunner` fits as is; so does the DataSource itself (autocommit).
 */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Rows of a statement. TypeORM returns `[rows, rowCount]` for UPDATE/DELETE and the rows
 * for everything else; callers only want the rows.
 */
export async function rows<T>(executor: SqlExecutor, sql: string, parameters?: unknown[]): Promise<T[]> {
  const result = await executor.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return (Array.isArray(result) ? result : []) as T[];
}
