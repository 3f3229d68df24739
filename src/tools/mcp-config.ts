/**
 * The MCP servers configuration, in the shape MCP clients commonly read (Claude Desktop, Cursor,
 * Claude Code, VS Code's server entries): `{ "mcpServers": { "<name>": { "command", "args",
 * "env", "cwd" } | { "url", "headers" } } }`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InvalidOptionsError } from '../engine/errors.ts';
import { MIN_SECRET_LENGTH, secretsFromEnv, urlSecrets } from '../engine/redact.ts';

/** Server names prefix their tool names (`<server>_<tool>`), which model APIs accept only from these characters. */
const SERVER_NAME = /^[A-Za-z0-9_-]{1,48}$/;

const StringMapSchema = z.record(z.string(), z.string());

/** A local server the client starts and talks to over stdio. */
export const McpStdioServerSchema = z.strictObject({
  /** Optional, as VS Code and Claude Code write it. */
  type: z.literal('stdio').optional(),
  /** The program, looked up on PATH like a shell does. */
  command: z.string().trim().min(1),
  /** Its arguments, passed as they are (no shell). */
  args: z.array(z.string()).optional(),
  /** Variables added to a minimal environment (HOME, PATH, SHELL, TERM, USER, LOGNAME); their values are treated as secrets. */
  env: StringMapSchema.optional(),
  /** Its working directory; a relative one is relative to the configuration file. */
  cwd: z.string().min(1).optional(),
});

/** A running server reached over Streamable HTTP. */
export const McpHttpServerSchema = z.strictObject({
  type: z.enum(['http', 'streamable-http']).optional(),
  /** The server's endpoint, http or https. */
  url: z.url({ protocol: /^https?$/ }),
  /** Headers sent with every request (an Authorization header, say); their values are treated as secrets. */
  headers: StringMapSchema.optional(),
});

/** One server of the configuration. */
export const McpServerConfigSchema = z.union([McpStdioServerSchema, McpHttpServerSchema]);

/** The whole file: other top-level keys (a client's own settings) are ignored. */
export const McpConfigSchema = z.looseObject({ mcpServers: z.record(z.string().regex(SERVER_NAME), McpServerConfigSchema) });

/** One server of the configuration. */
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;
/** A local (stdio) server. */
export type McpStdioServerConfig = z.infer<typeof McpStdioServerSchema>;
/** An HTTP server. */
export type McpHttpServerConfig = z.infer<typeof McpHttpServerSchema>;
/** An MCP servers configuration. */
export type McpConfig = z.infer<typeof McpConfigSchema>;

/** `mcpServers.releases.args[1]`, `mcpServers["my server"]`: where an issue is, as a reader of the file finds it. */
function issuePath(segments: readonly PropertyKey[]): string {
  const step = (segment: PropertyKey) => {
    if (typeof segment === 'number') return `[${segment}]`;
    const key = String(segment);
    return /^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  };
  return segments.map(step).join('').replace(/^\./, '');
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The issues of one server entry, each as `mcpServers.<name>[.field]: message`. */
function serverIssues(name: string, entry: unknown): string[] {
  const where = issuePath(['mcpServers', name]);
  if (!SERVER_NAME.test(name)) return [`${where}: a server name may hold only letters, digits, _ and - (at most 48), as it prefixes its tool names`];
  if (!isObject(entry)) return [`${where}: expected an object, got ${JSON.stringify(entry)}`];
  const hasCommand = 'command' in entry;
  const hasUrl = 'url' in entry;
  if (hasCommand && hasUrl) return [`${where}: give either command (a local server) or url (an HTTP server), not both`];
  if (!hasCommand && !hasUrl) return [`${where}: give command (a local server, started over stdio) or url (an HTTP server)`];
  const parsed = (hasUrl ? McpHttpServerSchema : McpStdioServerSchema).safeParse(entry);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issuePath(['mcpServers', name, ...issue.path])}: ${issue.message}`);
}

/** Every issue of a configuration value, in file order. */
function configIssues(value: unknown): string[] {
  if (!isObject(value)) return [`expected a JSON object with "mcpServers", got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`];
  const servers = value.mcpServers;
  if (!isObject(servers)) return [`mcpServers: expected an object of servers by name, got ${servers === undefined ? 'nothing' : JSON.stringify(servers)}`];
  const names = Object.keys(servers);
  if (names.length === 0) return ['mcpServers: no server is configured'];
  return names.flatMap((name) => serverIssues(name, servers[name]));
}

/**
 * The configuration in `value`, validated; `source` (the file it was read from) is named in the message.
 * @throws InvalidOptionsError naming every bad field, such as `mcpServers.releases.args[1]: Invalid input: expected string, received number`.
 */
export function parseMcpConfig(value: unknown, source?: string): McpConfig {
  const issues = configIssues(value);
  if (issues.length > 0) throw new InvalidOptionsError(`Invalid MCP configuration${source ? ` in ${source}` : ''}: ${issues.join('; ')}`);
  return McpConfigSchema.parse(value);
}

/**
 * Reads and validates the JSON file at `file`; a relative `cwd` of a server is made relative to
 * the file's folder.
 * @throws InvalidOptionsError naming the file when it cannot be read, is not JSON or is not a valid configuration.
 */
export async function readMcpConfig(file: string): Promise<McpConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : error instanceof Error ? error.message : String(error);
    throw new InvalidOptionsError(`Cannot read the MCP configuration ${absolute}: ${reason}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidOptionsError(`The MCP configuration ${absolute} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const config = parseMcpConfig(value, absolute);
  const folder = path.dirname(absolute);
  for (const server of Object.values(config.mcpServers)) if ('command' in server && server.cwd) server.cwd = path.resolve(folder, server.cwd);
  return config;
}

/** `Bearer abc…`: the header value, and the credential after the scheme (it may be quoted alone). */
function headerSecrets(value: string): string[] {
  const credential = value.trim().split(/\s+/).at(-1) ?? '';
  return [value, credential].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/** An HTTP server's secrets: its header values, the password of its URL, the values of secret-named query parameters (`?api_key=`). */
function httpSecrets(server: McpHttpServerConfig): string[] {
  const fromHeaders = Object.values(server.headers ?? {}).flatMap(headerSecrets);
  return [...fromHeaders, ...urlSecrets(server.url)];
}

/**
 * The strings to redact wherever a run writes: every `env` value of at least MIN_SECRET_LENGTH
 * characters (values given to a server are secrets by nature; shorter ones such as `1` or `dev`
 * would, redacted, shred every text they occur in), passwords inside URLs in `env` and `args`,
 * and an HTTP server's header values, URL password and secret-named query parameters.
 */
export function mcpConfigSecrets(config: McpConfig): string[] {
  const secrets = Object.values(config.mcpServers).flatMap((server) => {
    if ('url' in server) return httpSecrets(server);
    const env = Object.values(server.env ?? {}).filter((value) => value.length >= MIN_SECRET_LENGTH);
    const passwords = secretsFromEnv(
      Object.fromEntries([...Object.values(server.env ?? {}), ...(server.args ?? [])].map((value, index) => [`value${index}`, value])),
    );
    return [...env, ...passwords];
  });
  return [...new Set(secrets)];
}
