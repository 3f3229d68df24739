import type { Pool } from 'pg';

/**
 * Runs `statements` (CREATE TABLE/INDEX … IF NOT EXISTS, ALTER … IF NOT EXISTS) in one transaction
 * holding an advisory lock named after `table`. IF NOT EXISTS alone is not enough: two processes
 * creating the table at once collide in the catalog ("type already exists", a pg_type unique
 * violation); the lock makes them take turns.
 */
export async function createTablesLocked(pool: Pool, table: string, statements: readonly string[]): Promise<void> {
  const client = await pool.connect();
  let isBroken = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [table]);
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    // A client whose ROLLBACK fails is unusable: release(true) has the pool discard it.
    isBroken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw error;
  } finally {
    client.release(isBroken);
  }
}
