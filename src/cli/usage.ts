import { DEFAULTS } from '../engine/settings.ts';
import { TOOL_DEFAULTS } from '../tools/constants.ts';
import { FLEET_DB_VARIABLE, WORKER_DEFAULTS } from './fleet-options.ts';
import { COMMAND_TOOL_NAME, DEFAULT_WORKSPACE_DIR, WORKSPACE_VARIABLE } from './run-tool-options.ts';

/** Simulated latency of each pipeline call in `demo` on a terminal, so that the checklist can be watched. */
export const DEMO_LIVE_LATENCY_MS = 150;

/** The name the CLI is installed under (package.json "bin"). */
export const PROGRAM = 'plan-execute';

const EXIT_CODES = `Exit codes: 0 completed, 1 failed, 2 aborted or rejected, 64 usage error,
69 model server unreachable, 70 internal error, 76 model server refused a request,
78 no model configured, 130 interrupted (Ctrl-C).`;

/** `plan-execute --help`. */
export const MAIN_USAGE = `Usage: ${PROGRAM} <command> [options]

Plan & Execute agents on Mastra: a planner writes a typed plan, an executor runs each step,
failures are retried or replanned, and a synthesizer merges the results.

Commands:
  run "<task>"          Plan and execute a task with the models from the environment
  release <version>     Run the offline release-checklist example for one version
  demo                  Run the three offline release paths: 1.4.2, 1.4.3 and 1.5.0
  worker                Do the runs of a fleet on PostgreSQL, until SIGTERM
  submit "<task>"       Submit a task to the fleet; prints its run id
  status <runId>        Where a fleet run stands: state, steps, answer
  approve <runId>       Approve (or reject) the plan of a fleet run waiting for approval

Options:
  -h, --help            Show this help; '${PROGRAM} <command> --help' shows a command's
  -V, --version         Show the version

On a terminal the plan is a live checklist; piped, progress is one line per event.
${EXIT_CODES}`;

/** `plan-execute run --help`. */
export const RUN_USAGE = `Usage: ${PROGRAM} run "<task>" [options]

Plans the task with the planner model, runs each step with the executor model, replans after
a failure and merges the step outputs. Models come from the environment or ./.env:
OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (an OpenAI-compatible server), and optionally
PLANNER_MODEL, EXECUTOR_MODEL, SYNTHESIZER_MODEL, and PLAN_EXECUTE_OUTPUT_MODE (how structured
answers are asked for: auto, native, prompt, tool or text; default auto).

The executor's tools work in the workspace folder; paths are relative to it, and absolute
paths, '..' and symbolic links leading out are refused:
  readFile              Read a text file
  writeFile             Write a text file, creating its folders
  listFiles             List a folder
  ${COMMAND_TOOL_NAME}            Run an allowed program (only with --allow): no shell, arguments
                        passed as they are, a scrubbed environment, a ${TOOL_DEFAULTS.commandTimeoutMs / 1000} s time limit

Options:
  --workspace <dir>     The executor's folder, created if missing
                        (default: $${WORKSPACE_VARIABLE}, else ./${DEFAULT_WORKSPACE_DIR})
  --allow <programs>    Programs ${COMMAND_TOOL_NAME} may run, comma-separated, such as python3,ls
                        (default: none, and no ${COMMAND_TOOL_NAME}). An allowed program does what
                        it is built to do (python3 runs any code): allow only what the task needs
  --mcp <file>          Also give the executor the tools of the MCP servers in <file>, JSON in
                        the shape MCP clients use: {"mcpServers": {"<name>": {"command": "...",
                        "args": [...], "env": {...}, "cwd": "..."}}}, or {"url": "...",
                        "headers": {...}} for an HTTP server. Their tools are named
                        <server>_<tool>; env and header values are redacted from the output;
                        the servers are stopped when the run ends. A file or server that
                        cannot be used exits 64
  --approve             Show the plan and ask before executing: y (run it), n (reject it),
                        e (edit it as JSON in $EDITOR; it is validated before it runs)
  --max-replans <n>     Replanner calls per run, from 0 (default ${DEFAULTS.maxReplans})
  --concurrency <n>     Independent steps at once, from 1 (default ${DEFAULTS.concurrency})
  --max-tokens <n>      Token budget of the whole run, from 1 (default: none)
  --plan-cache <file|url>  Reuse the plan of an earlier run of the same task and tools, for a
                        day: a LibSQL file (the run store's may be shared), or a database URL
                        (postgres://…, libsql://…)
  --stream-plan         Start steps while the planner is still writing the plan, each as soon
                        as it and its dependencies are done (not with --approve)
  --verbose             Also print a line per model call: role, mode, tokens, duration
  --json                Print only the result (PlanRunResult) as JSON; no progress
  -h, --help            Show this help

${EXIT_CODES}`;

/** `plan-execute release --help`. */
export const RELEASE_USAGE = `Usage: ${PROGRAM} release <version> --env staging|production [options]

Runs the release-checklist example offline: build, then smoke, deploy and verify each service,
with scripted models and a simulated pipeline. 1.4.2 is green; 1.4.3 fails its smoke test with
missing_migration and the replanner inserts a fix; 1.5.0 fails verification and is aborted.

Options:
  --env <env>           staging or production (required)
  --services <list>     Comma-separated services to release, such as web,api
  --concurrency <n>     Independent steps at once, from 1 (default ${DEFAULTS.concurrency})
  --latency <ms>        Simulated latency of every pipeline call (default 0)
  --json                Print only the release result as JSON; no progress
  -h, --help            Show this help

Exit codes: 0 succeeded, 1 failed, 2 aborted, 64 usage error, 130 interrupted (Ctrl-C).`;

/** `plan-execute demo --help`. */
export const DEMO_USAGE = `Usage: ${PROGRAM} demo [options]

Runs the release-checklist example offline on its three paths, one after another:
1.4.2 (green), 1.4.3 (smoke fails with missing_migration, a fix is inserted, it succeeds)
and 1.5.0 (verification fails, the release is aborted). No model or key is needed.

Options:
  --latency <ms>        Simulated latency of every pipeline call (default ${DEMO_LIVE_LATENCY_MS} on a
                        terminal, so the checklists can be watched; 0 when piped)
  --json                Print only the three release results as a JSON array
  -h, --help            Show this help

Exit code: 0 once the three runs have ended, whatever their outcome; 130 on Ctrl-C.`;

/** The --db option of every fleet command. */
const DB_OPTION = `  --db <url>            The fleet's PostgreSQL URL: postgres://user:password@host:5432/db
                        (default: $${FLEET_DB_VARIABLE}, from the environment or ./.env, which
                        keeps the password off the command line); the password is never printed`;

/** The exit codes a fleet client command adds to its own. */
const FLEET_EXIT_CODES = '69 database unreachable, 70 internal error';

/** `plan-execute worker --help`. */
export const WORKER_USAGE = `Usage: ${PROGRAM} worker --db <url> [options]

Does the runs submitted to a fleet on PostgreSQL (pg-boss): takes the run jobs of the agents
below, resumes runs whose worker died, and logs one line per job on stdout. Start as many
workers as you like, on as many machines. On SIGTERM or SIGINT it takes no new job, lets the
running ones finish (up to ${WORKER_DEFAULTS.stopTimeoutMs / 1000} s; then other workers take them over) and exits 0; a
second signal ends it at once.

Agents (submit --agent <name>):
  default               The models from the environment or ./.env, as for 'run' (OPENAI_API_KEY
                        or OPENAI_BASE_URL, PLANNER_MODEL, ...), with the workspace tools of
                        'run'; left out, with a note on stderr, when no model is configured
  adoption-report       The offline adoption-report example (scripted models, corpus search);
                        writes <workspace>/adoption-report/report.md, whatever the task says
  python-scaffold       The offline Python scaffold example (scripted models, sandboxed
                        commands), in <workspace>/python-scaffold, whatever the task says

Options:
${DB_OPTION}
  --concurrency <n>     Runs at once per agent, from 1 (default ${WORKER_DEFAULTS.concurrency})
  --step-concurrency <n>  Step jobs (of runs submitted with --steps) at once per agent,
                        from 1 (default ${WORKER_DEFAULTS.stepConcurrency})
  --workspace <dir>     The default agent's folder, created if missing
                        (default: $${WORKSPACE_VARIABLE}, else ./${DEFAULT_WORKSPACE_DIR})
  --allow <programs>    Programs the default agent's ${COMMAND_TOOL_NAME} may run, comma-separated
                        (default: none, and no ${COMMAND_TOOL_NAME}); see '${PROGRAM} run --help'
  --shared-workspace    Every worker sees the same workspace folder (a network share): the
                        steps of --steps runs go to any worker; without it they stay with
                        the worker holding the run, where the earlier steps' files are
  -h, --help            Show this help

Exit codes: 0 stopped by SIGTERM or SIGINT, 64 usage error, 69 database unreachable,
70 internal error, 130 a second signal.`;

/** `plan-execute submit --help`. */
export const SUBMIT_USAGE = `Usage: ${PROGRAM} submit "<task>" --db <url> [options]

Submits the task to a fleet: a worker of the agent takes it ('${PROGRAM} worker'). Prints the
run id; follow the run with '${PROGRAM} status <runId>'.

Options:
${DB_OPTION}
  --agent <name>        The agent whose workers do the run (default: default)
  --approve             Plan, then wait for '${PROGRAM} approve <runId>' (holding no worker)
  --steps               Each step attempt is a job of its own, which any worker of the
                        agent may take (default: the run's worker executes its steps)
  --run-id <id>         The run's id (default: a random UUID); an id is submitted once
  --wait                Wait until the run ends and print its result as 'run' does
  --timeout <seconds>   With --wait, stop waiting after this many seconds (default: 3600);
                        the run goes on
  --json                Print {"runId": ...}, or with --wait the result (PlanRunResult)
  -h, --help            Show this help

Exit codes: 0 submitted (with --wait: as for 'run': 0 completed, 1 failed, 2 aborted or
rejected, 69 model server unreachable, 76 model server refused a request, 75 --timeout
passed, 130 stopped waiting with Ctrl-C; the run goes on after both), 64 usage error or a
run id already submitted, ${FLEET_EXIT_CODES}.`;

/** `plan-execute status --help`. */
export const STATUS_USAGE = `Usage: ${PROGRAM} status <runId> --db <url> [options]

Where a fleet run stands: queued, running, awaiting-approval, or how it ended (completed,
failed, aborted, cancelled, rejected); each planned step's status; once ended, the final plan,
the answer and the tokens.

Options:
${DB_OPTION}
  --json                Print the run as JSON: runId, agent, task, state, steps, plan and
                        result (the PlanRunResult once the run ended, else null)
  -h, --help            Show this help

Exit codes: 0 shown, 64 usage error or unknown run, ${FLEET_EXIT_CODES}.`;

/** `plan-execute approve --help`. */
export const APPROVE_USAGE = `Usage: ${PROGRAM} approve <runId> --db <url> [--reject]

Gives the verdict on the plan of a fleet run submitted with --approve and now waiting
(see '${PROGRAM} status <runId>'): a worker carries an approved run on; a rejected run ends
'rejected'. A run gets one verdict.

Options:
${DB_OPTION}
  --reject              Reject the plan instead of approving it
  -h, --help            Show this help

Exit codes: 0 verdict given, 64 usage error, unknown run or a run that does not wait for
approval, ${FLEET_EXIT_CODES}.`;
