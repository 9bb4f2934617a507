import { describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { testInfra, uniqueName } from '../../../../test/infra/test-infra';
import { ensureDatabase } from './ensure-database';

describe('ensureDatabase', () => {
  it('creates a missing database once, even when several services start at the same moment', async () => {
    const infra = await testInfra();
    const url = new URL(infra.adminDatabaseUrl);
    url.pathname = `/${uniqueName('deploybot_ensure_')}`;
    await Promise.all(Array.from({ length: 4 }, () => ensureDatabase(url.toString())));
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await client.end();
    const admin = new Client({ connectionString: infra.adminDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE ${url.pathname.slice(1)} WITH (FORCE)`);
    await admin.end();
  });
});
