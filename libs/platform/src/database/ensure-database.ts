import { Client } from 'pg';

/**
 * Creates the database named in `url` when it does not exist yet, so the README's default
 * DATABASE_URL works on a fresh Postgres. Needs CREATEDB; without it the error says so.
 */
export async function ensureDatabase(url: string, timeoutMs = 5_000): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL "${redact(url)}" names no database (expected postgres://user@host:5432/database)`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: timeoutMs });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        // Created concurrently by another service starting at the same moment: 42P04 when
        // Postgres saw it first, 23505 (pg_database's unique index) when both raced the insert.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
