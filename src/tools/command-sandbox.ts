import { realpathSync } from 'node:fs';
import path from 'node:path';
import { InvalidOptionsError } from '../engine/errors.ts';
import { describeValue, expectBoolean } from '../engine/option-checks.ts';
import { probeBubblewrap } from './bubblewrap.ts';
import { commandEnv, SYSTEM_PATH } from './command-env.ts';
import { COMMAND_MARKER_VARIABLE, killCommandProcesses, newCommandMarker } from './process-sweep.ts';
import { bubblewrapArgs, isWithin, visibleRoots, workspaceOverlap } from './sandbox-layout.ts';

/** `auto`: bubblewrap when usable, else no isolation (with a warning); `required`: bubblewrap or an error; `off`: never. */
export type SandboxMode = 'auto' | 'required' | 'off';

const SANDBOX_MODES: readonly SandboxMode[] = ['auto', 'required', 'off'];

/** What the sandbox is built from. */
export interface CommandSandboxOptions {
  /** @default 'auto' */
  readonly mode?: SandboxMode;
  /** The workspace's real path. */
  readonly workspaceRoot: string;
  /** Keep the host's network inside the sandbox. @default false */
  readonly allowNetwork?: boolean;
  /** Extra host paths shown read-only at the same path. @default [] */
  readonly readOnlyPaths?: readonly string[];
  /** The bwrap program. @default looked up on PATH */
  readonly bubblewrap?: string;
  /** The caller's extra environment for commands. @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/** A program ready to spawn: bwrap wrapping it, or the program itself. */
export interface PreparedCommand {
  /** What to spawn: bwrap, or the program. */
  readonly executable: string;
  /** Its argv[0]. */
  readonly argv0: string;
  /** Its arguments (bwrap's, then the program and its own). */
  readonly args: readonly string[];
  /** The whole environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Finds and kills what the command started beyond its group (without bubblewrap only). */
  readonly sweep?: (pid: number) => Promise<void>;
}

/** How commands of one tool are confined. */
export interface CommandSandbox {
  /** `bubblewrap`, or `none` (commands run as this process does). */
  readonly kind: 'bubblewrap' | 'none';
  /** The PATH bare command names are looked up on (the sandbox's own PATH with bubblewrap). */
  readonly searchPath: string;
  /** The sentence the tool's description gives the model about isolation. */
  readonly description: string;
  /** Why `executable` cannot run in the sandbox (it lives where the sandbox shows nothing), or null. */
  visibilityProblem(executable: string): string | null;
  /** The process to spawn for `executable` with `args`, in `cwd`. */
  prepare(request: { executable: string; argv0: string; args: readonly string[]; cwd: string }): PreparedCommand;
}

/** What the model is told about a sandboxed command. */
const isolated = (allowNetwork: boolean) =>
  'Each command runs in a sandbox: it sees only the workspace (writable, at the same path) and the system programs (read-only), ' +
  `a private /tmp, no other process${allowNetwork ? '; the network is reachable' : ', and no network'}`;
const NOT_ISOLATED = "Commands are not isolated: they run as this process's user and can read and write whatever it can and reach the network";

/** Emitted once per process, the first time `auto` finds no usable bubblewrap. */
let warned = false;

function checkOptions({ mode, allowNetwork, readOnlyPaths = [], bubblewrap }: CommandSandboxOptions): void {
  if (mode !== undefined && !SANDBOX_MODES.includes(mode)) {
    throw new InvalidOptionsError(`Expected \`sandbox\` to be one of ${SANDBOX_MODES.join(', ')}, got ${describeValue(mode)}`);
  }
  expectBoolean('allowNetwork', allowNetwork);
  if (bubblewrap !== undefined && (typeof bubblewrap !== 'string' || !path.isAbsolute(bubblewrap))) {
    throw new InvalidOptionsError(`Expected \`bubblewrap\` to be an absolute path, got ${describeValue(bubblewrap)}`);
  }
  if (!Array.isArray(readOnlyPaths))
    throw new InvalidOptionsError(`Expected \`readOnlyPaths\` to be an array of absolute paths, got ${describeValue(readOnlyPaths)}`);
  for (const entry of readOnlyPaths) {
    if (typeof entry !== 'string' || !path.isAbsolute(entry) || entry.includes('\0')) {
      throw new InvalidOptionsError(`Expected every entry of \`readOnlyPaths\` to be an absolute path, got ${describeValue(entry)}`);
    }
  }
}

function bubblewrapSandbox(bwrapPath: string, options: CommandSandboxOptions): CommandSandbox {
  const { workspaceRoot, allowNetwork = false, env = {} } = options;
  const overlap = workspaceOverlap(workspaceRoot);
  if (overlap) throw new InvalidOptionsError(`Cannot sandbox commands in the workspace ${workspaceRoot}: ${overlap}`);
  const readOnlyPaths = (options.readOnlyPaths ?? []).map((entry) => path.resolve(entry));
  const roots = visibleRoots(workspaceRoot, readOnlyPaths);
  const base = commandEnv(workspaceRoot, env, SYSTEM_PATH);
  // bwrap looks a bare name up on this PATH inside the sandbox: relative entries such as "." go, as on the host side.
  const searchPath = (base.PATH ?? SYSTEM_PATH)
    .split(path.delimiter)
    .filter((entry) => path.isAbsolute(entry))
    .join(path.delimiter);
  const processEnv = { ...base, PATH: searchPath };
  return {
    kind: 'bubblewrap',
    searchPath,
    description: isolated(allowNetwork),
    visibilityProblem(executable) {
      let real: string;
      try {
        real = realpathSync(executable);
      } catch {
        return `${executable} cannot be resolved`;
      }
      if (roots.some((root) => isWithin(real, root))) return null;
      return `it resolves to ${real}, which the sandbox does not show (add its folder to \`readOnlyPaths\`)`;
    },
    prepare({ argv0, args, cwd }) {
      // bwrap execvp()s its first argument and passes it as argv[0] (0.8 has no --argv0): a bare name is looked up on the
      // sandbox's PATH, which holds the same absolute folders, bound at the same paths, as the host-side lookup found it in.
      const sandboxArgs = bubblewrapArgs({ workspaceRoot, cwd, allowNetwork, readOnlyPaths, executable: argv0, args });
      // bwrap passes its own environment on: spawning it with exactly the command's keeps secrets out of argv and of the sandbox.
      return { executable: bwrapPath, argv0: 'bwrap', args: sandboxArgs, env: processEnv };
    },
  };
}

function unconfinedSandbox({ workspaceRoot, env = {} }: CommandSandboxOptions): CommandSandbox {
  const processEnv = commandEnv(workspaceRoot, env);
  return {
    kind: 'none',
    searchPath: processEnv.PATH ?? '',
    description: NOT_ISOLATED,
    visibilityProblem: () => null,
    prepare({ executable, argv0, args }) {
      const marker = newCommandMarker();
      return { executable, argv0, args, env: { ...processEnv, [COMMAND_MARKER_VARIABLE]: marker }, sweep: (pid) => killCommandProcesses(pid, marker) };
    },
  };
}

/**
 * The confinement of a command tool. `required` without a usable bubblewrap throws
 * InvalidOptionsError naming why; `auto` without one runs commands unconfined and warns once per
 * process (`process.emitWarning`, code PLAN_EXECUTE_NO_SANDBOX).
 */
export function createCommandSandbox(options: CommandSandboxOptions): CommandSandbox {
  checkOptions(options);
  const { mode = 'auto' } = options;
  if (mode === 'off') return unconfinedSandbox(options);
  const probe = probeBubblewrap(options.bubblewrap);
  if (probe.usable) return bubblewrapSandbox(probe.path, options);
  if (mode === 'required') throw new InvalidOptionsError(`\`sandbox: 'required'\` but ${probe.reason}`);
  if (!warned) {
    warned = true;
    process.emitWarning(`run-command: ${probe.reason}, so commands run without a sandbox. ${NOT_ISOLATED}.`, { code: 'PLAN_EXECUTE_NO_SANDBOX' });
  }
  return unconfinedSandbox(options);
}
