import { z } from 'zod';

/** The parts of a JSON Schema node the field list reads. */
interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly SchemaNode[];
  readonly items?: SchemaNode;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly description?: string;
}

/**
 * The fields of an object schema as a compact, indented list a model can follow, one line per
 * field: name, type and the field's `.describe()` text. Nested objects (array items included)
 * list their own fields one level deeper.
 * @example
 * fieldList(StepOutcomeSchema);
 * // - success (boolean): true when the step produced its expected output; …
 * // - output (string): The result of the step: …
 * // - error (string or null): Why the step failed, …; null on success.
 */
export function fieldList(schema: z.ZodType): string {
  return fieldLines(z.toJSONSchema(schema) as SchemaNode, '').join('\n');
}

function fieldLines(node: SchemaNode, indent: string): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([name, field]) => {
    const line = `${indent}- ${name} (${typeName(field)})${field.description ? `: ${field.description}` : ''}`;
    const nested = objectOf(field);
    return nested ? [line, `${indent}  Each with these fields:`, ...fieldLines(nested, `${indent}  `)] : [line];
  });
}

/** The object schema inside a field (itself, its array items, or the non-null branch), if any. */
function objectOf(node: SchemaNode): SchemaNode | undefined {
  if (node.properties) return node;
  if (node.items) return objectOf(node.items);
  return node.anyOf?.map(objectOf).find(Boolean);
}

function typeName(node: SchemaNode): string {
  if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (node.anyOf) return node.anyOf.map(typeName).join(' or ');
  const types = Array.isArray(node.type) ? node.type : [node.type ?? 'any'];
  return types.map((type) => (type === 'array' ? `array of ${pluralType(node.items)}` : type)).join(' or ');
}

function pluralType(items: SchemaNode | undefined): string {
  const name = items ? typeName(items) : 'any';
  return name === 'object' ? 'objects' : name.replace(/^(string|number|boolean|integer)\b/, '$1s');
}
