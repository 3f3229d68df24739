/**
 * The project's Mastra instance (composition root only): what `mastra dev` serves in the
 * playground and `npm run build:server` builds. Settings from the environment:
 * - MASTRA_DB_URL (blank = unset, as a copied .env.example leaves it): LibSQL URL of Mastra's storage and of the run checkpoints (default: file:<cwd>/mastra.db);
 * - MASTRA_TRACES_PATH: the DuckDB file the traces go to (default: mastra-traces.duckdb next to a `file:` MASTRA_DB_URL, else in the cwd);
 * - PLAN_EXECUTE_WORKSPACE: the executor's sandbox folder (default: <cwd>/workspace);
 * - PLAN_EXECUTE_MCP_CONFIG: an MCP servers file whose tools the executor gets too (default: none; relative to where npm ran);
 * - the model variables of src/models.ts (only needed by the Plan & Execute workflow and agents).
 */
import { resolve } from 'node:path';
import { Mastra } from '@mastra/core/mastra';
import { MastraCompositeStore } from '@mastra/core/storage';
import { DuckDBStore } from '@mastra/duckdb';
import { LibSQLStore } from '@mastra/libsql';
import { PinoLogger } from '@mastra/loggers';
import { MastraStorageExporter, Observability, SensitiveDataFilter } from '@mastra/observability';
import { createReleaseWorkflow } from '../examples/release-checklist/index.ts';
import { LibSQLRunStore } from '../storage/libsql-run-store.ts';
import { createDefaultAgents } from './default-agents.ts';
import { createRedactingSpanProcessor, tracesPathFor } from './tracing.ts';
import { createPlanExecuteWorkflow } from './workflows/plan-execute-workflow.ts';

const databaseUrl = process.env.MASTRA_DB_URL?.trim() || `file:${resolve('mastra.db')}`;
const tracesPath = process.env.MASTRA_TRACES_PATH?.trim() || tracesPathFor(databaseUrl);
const mcpConfig = process.env.PLAN_EXECUTE_MCP_CONFIG?.trim();
const agents = createDefaultAgents({
  workspaceDir: process.env.PLAN_EXECUTE_WORKSPACE?.trim() || resolve('workspace'),
  // `mastra dev` runs in src/mastra/public: a relative path is taken from where npm was started (INIT_CWD).
  mcpConfigPath: mcpConfig ? resolve(process.env.INIT_CWD ?? '', mcpConfig) : undefined,
});

export const mastra = new Mastra({
  agents: { ...agents },
  workflows: {
    planExecute: createPlanExecuteWorkflow({ ...agents, store: new LibSQLRunStore({ url: databaseUrl }) }),
    releaseChecklist: createReleaseWorkflow(),
  },
  storage: new MastraCompositeStore({
    id: 'mastra-plan-execute-storage',
    default: new LibSQLStore({ id: 'mastra-plan-execute', url: databaseUrl }),
    // The Studio lists traces through advanced trace queries and polls feedback: the LibSQL store
    // has neither (the Traces page failed, the feedback route answered 500); embedded DuckDB has both.
    domains: { observability: new DuckDBStore({ id: 'mastra-plan-execute-traces', path: tracesPath }).observability },
  }),
  logger: new PinoLogger({ name: 'mastra-plan-execute', level: 'info' }),
  // Traces (with the plan-execute.* spans) go to the observability store above, where the Studio's
  // Traces page lists them; secrets in span data are redacted first: Mastra's filter by key name,
  // ours by value (secret env values).
  observability: new Observability({
    configs: {
      default: {
        serviceName: 'mastra-plan-execute',
        exporters: [new MastraStorageExporter()],
        spanOutputProcessors: [new SensitiveDataFilter(), createRedactingSpanProcessor()],
      },
    },
  }),
});
