import { createClient, type Client, type InStatement, type ResultSet } from '@libsql/client';

/** Idle connections kept for reuse; more are opened when more statements run at once, and closed after. */
const MAX_IDLE = 4;

/** Where a LibSQLRunStore sends its statements. */
export interface LibSQLConnections {
  /** Runs one statement in its own implicit transaction. */
  execute(statement: InStatement): Promise<ResultSet>;
  /** Closes every connection; statements still running finish on theirs, which are closed after. */
  close(): void;
}

/**
 * Connections to a libsql database. A local file gets a connection per statement, reused after a
 * statement that succeeded and closed after one that failed: the libsql binding leaves a failed
 * statement (SQLITE_BUSY above all) in progress on its connection, and while it is, every later
 * write there reports success and is never committed (tursodatabase/libsql-client-ts#352). An
 * in-memory database (one connection by nature) and a remote server share one client.
 */
export function openConnections(url: string, options: { readonly authToken?: string | undefined; readonly busyTimeoutMs: number }): LibSQLConnections {
  const open = () => createClient({ url, ...(options.authToken ? { authToken: options.authToken } : {}), timeout: options.busyTimeoutMs });
  const isFile = url.startsWith('file:') && !url.includes(':memory:');
  if (!isFile) {
    const client = open();
    return { execute: (statement) => client.execute(statement), close: () => client.close() };
  }
  const idle: Client[] = [];
  let isClosed = false;
  return {
    async execute(statement) {
      const client = idle.pop() ?? open();
      let result: ResultSet;
      try {
        result = await client.execute(statement);
      } catch (error) {
        client.close(); // never reused: see above
        throw error;
      }
      if (isClosed || idle.length >= MAX_IDLE) client.close();
      else idle.push(client);
      return result;
    },
    close() {
      isClosed = true;
      for (const client of idle.splice(0)) client.close();
    },
  };
}
