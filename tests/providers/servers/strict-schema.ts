// OpenAI accepts only a subset of JSON Schema when `strict: true` ("Supported schemas",
// https://platform.openai.com/docs/guides/structured-outputs#supported-schemas): the root is an
// object; every object sets `additionalProperties: false`; every key of `properties` is in
// `required` (an optional field is a nullable one). Anything else is refused with a 400 before
// generation. The message texts below are the API's, as captured in public bug reports, e.g.
// "Invalid schema for response_format 'calendar_event_extraction': In context=(), 'required' is
// required to be supplied and to be an array including every key in properties. Missing 'location'."
// and "... schema must be a JSON Schema of 'type: \"object\"', got 'type: \"None\"'." (code
// `invalid_json_schema` for a response format, `invalid_function_parameters` for a tool).
//
// Keywords: "Some type-specific keywords are not yet supported. Composition: allOf, not,
// dependentRequired, dependentSchemas, if, then, else" (same page); one of them anywhere is
// refused as "In context=('properties', 'rich_text', 'items'), 'allOf' is not permitted." (captured
// for a strict tool in makenotion/notion-mcp-server#117, code `invalid_function_parameters`). The
// string length keywords (`minLength`, `maxLength`) are listed as unsupported only "for
// fine-tuned models", so they are not refused here.

type SchemaNode = Record<string, unknown>;

/** The first strict-mode violation of `schema`, worded as the API words it after the subject; null when it complies. */
export function strictSchemaProblem(schema: unknown): string | null {
  const root = (schema ?? {}) as SchemaNode;
  if (root.type !== 'object') return `schema must be a JSON Schema of 'type: "object"', got 'type: "${String(root.type ?? 'None')}"'.`;
  return objectProblem(root, []);
}

/** The composition keywords strict mode refuses. */
const UNSUPPORTED_KEYWORDS = ['allOf', 'not', 'dependentRequired', 'dependentSchemas', 'if', 'then', 'else'];

const context = (path: readonly string[]) => `In context=(${path.map((part) => `'${part}'`).join(', ')}${path.length === 1 ? ',' : ''})`;

function objectProblem(node: SchemaNode, path: readonly string[]): string | null {
  // A boolean schema (`true` / `false`) has no keywords to check.
  if (typeof node !== 'object' || node === null) return null;
  const unsupported = UNSUPPORTED_KEYWORDS.find((keyword) => keyword in node);
  if (unsupported !== undefined) return `${context(path)}, '${unsupported}' is not permitted.`;
  if (isObjectNode(node)) {
    if (node.additionalProperties !== false) return `${context(path)}, 'additionalProperties' is required to be supplied and to be false.`;
    const properties = (node.properties ?? {}) as Record<string, SchemaNode>;
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = Object.keys(properties).find((key) => !required.includes(key));
    if (missing !== undefined)
      return `${context(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    for (const [key, child] of Object.entries(properties)) {
      const problem = objectProblem(child, [...path, 'properties', key]);
      if (problem) return problem;
    }
  }
  return childrenProblem(node, path);
}

function childrenProblem(node: SchemaNode, path: readonly string[]): string | null {
  if (node.items && typeof node.items === 'object') {
    const problem = objectProblem(node.items as SchemaNode, [...path, 'items']);
    if (problem) return problem;
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = Array.isArray(node[keyword]) ? (node[keyword] as SchemaNode[]) : [];
    for (const [index, branch] of branches.entries()) {
      const problem = objectProblem(branch, [...path, keyword, String(index)]);
      if (problem) return problem;
    }
  }
  return null;
}

function isObjectNode(node: SchemaNode): boolean {
  const type = node.type;
  return type === 'object' || (Array.isArray(type) && type.includes('object'));
}
