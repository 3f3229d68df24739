/**
 * The project's Mastra instance (composition root only): what `mastra dev` serves in the
 * playground. Settings from the environment:
 * - MASTRA_DB_URL (blank = unset, as a copied .env.example leaves it): LibSQL URL of Mastra's storage and of the run checkpoints (default: file:<cwd>/mastra.db);
 * - PLAN_EXECUTE_WORKSPACE: the executor's sandbox folder (default: <cwd>/workspace);
 * - the model variables of src/models.ts (only needed by the Plan & Execute workflow and agents).
 */
import { resolve } from 'node:path';
import { LibSQLStore } from '@mastra/libsql';
import { PinoLogger } from '@mastra/loggers';
import { Mastra } from '@mastra/core/mastra';
import { MastraStorageExporter, Observability, SensitiveDataFilter } from '@mastra/observability';
import { createReleaseWorkflow } from '../examples/release-checklist/index.ts';
import { LibSQLRunStore } from '../storage/libsql-run-store.ts';
import { createDefaultAgents } from './default-agents.ts';
import { createRedactingSpanProcessor } from './tracing.ts';
import { createPlanExecuteWorkflow } from './workflows/plan-execute-workflow.ts';

const databaseUrl = process.env.MASTRA_DB_URL?.trim() || `file:${resolve('mastra.db')}`;
const agents = createDefaultAgents({ workspaceDir: process.env.PLAN_EXECUTE_WORKSPACE?.trim() || resolve('workspace') });

export const mastra = new Mastra({
  agents: { ...agents },
  workflows: {
    planExecute: createPlanExecuteWorkflow({ ...agents, store: new LibSQLRunStore({ url: databaseUrl }) }),
    releaseChecklist: createReleaseWorkflow(),
  },
  storage: new LibSQLStore({ id: 'mastra-plan-execute', url: databaseUrl }),
  logger: new PinoLogger({ name: 'mastra-plan-execute', level: 'info' }),
  // Traces (with the plan-execute.* spans) go to the storage above, where the playground shows them;
  // secrets in span data are redacted first: Mastra's filter by key name, ours by value (secret env values).
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
