import { z } from 'zod';

/** What every sandboxed tool returns when it refuses or fails: data the model reads, never a thrown crash. */
export const ToolFailureSchema = z.object({
  ok: z.literal(false).describe('false: the tool refused the request or it failed; nothing else happened'),
  error: z.string().describe('Why, naming the path or command concerned; read it and adjust the next call'),
});

/** A refusal or failure of a sandboxed tool. */
export type ToolFailure = z.infer<typeof ToolFailureSchema>;

/** A refusal or failure carrying `error`. */
export function toolFailure(error: string): ToolFailure {
  return { ok: false, error };
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent of the path is not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'it is a symbolic link (or a loop of them), which this tool does not follow',
  ENOSPC: 'no space left on the device',
};

/** A one-line reason for `error` (an errno becomes words a model understands) about `subject`. */
export function describeError(subject: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code && ERRNO_TEXT[code]) return `${subject}: ${ERRNO_TEXT[code]} (${code})`;
  return `${subject}: ${error instanceof Error ? error.message : String(error)}`;
}
