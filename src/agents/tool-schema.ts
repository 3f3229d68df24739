import type { ToolInputSchema } from '../engine/check-direct-steps.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A tool's input schema as JSON Schema (draft-07), read from the tool: a Standard Schema with JSON
 * Schema output (zod 4, and Mastra's wrapper of any schema it accepts) or an AI SDK `jsonSchema()`
 * object. The `$schema` key is left out. Undefined when the tool has none or it cannot be read.
 */
export function toolInputSchema(tool: unknown): ToolInputSchema | undefined {
  const schema = isObject(tool) ? tool.inputSchema : undefined;
  if (!isObject(schema)) return undefined;
  try {
    const standard = schema['~standard'] as { jsonSchema?: { input?: (options: { target: string }) => unknown } } | undefined;
    const json = standard?.jsonSchema?.input?.({ target: 'draft-07' }) ?? schema.jsonSchema;
    if (!isObject(json)) return undefined;
    const { $schema, ...rest } = json;
    void $schema;
    return rest;
  } catch {
    return undefined;
  }
}

/** A JSON Schema node as the signature reads it. */
interface Node {
  readonly type?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Node[];
  readonly items?: Node;
  readonly properties?: Readonly<Record<string, Node>>;
  readonly required?: readonly string[];
}

function typeOf(node: Node | undefined): string {
  if (!node) return 'any';
  if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join('|');
  if (node.anyOf) return node.anyOf.map(typeOf).join('|');
  if (node.properties) return objectOf(node);
  if (node.type === 'array') return `${typeOf(node.items)}[]`;
  return Array.isArray(node.type) ? node.type.join('|') : typeof node.type === 'string' ? node.type : 'any';
}

function objectOf(node: Node): string {
  const required = new Set(node.required ?? []);
  const fields = Object.entries(node.properties ?? {}).map(([name, field]) => `${name}${required.has(name) ? '' : '?'}: ${typeOf(field)}`);
  return `{${fields.join(', ')}}`;
}

/**
 * A tool's input in one short line for the planner, which writes direct calls from it:
 * `{a: number, b?: string, mode: "x"|"y", items: string[]}` (`?`: optional). Empty without a schema.
 */
export function inputSignature(schema: ToolInputSchema | undefined): string {
  return schema ? typeOf(schema as Node) : '';
}
