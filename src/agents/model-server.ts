import type { Agent } from '@mastra/core/agent';
import { RequestContext } from '@mastra/core/request-context';

/** Which server an agent's model talks to, as far as the model object tells. */
export interface ModelServer {
  /** The provider id: `openai.responses`, `openai.chat`, `openai` (a "provider/model" string), `scripted`, … */
  readonly provider: string;
  /** The model name. */
  readonly modelId: string;
  /** The base URL the requests go to; null when the model does not say (a string id, a wrapped model). */
  readonly baseUrl: string | null;
}

/** A model as Mastra accepts it, before Mastra wraps it: a model object, a "provider/model" string or a config object. */
type RawModel = string | { readonly [key: string]: unknown };

/**
 * The provider, model name and base URL of `agent`'s model. A model given as a function of the
 * request context is resolved here (as Mastra does on every call); of a fallback list, the first
 * enabled model counts. Reads the model before Mastra wraps it, because the wrapper hides the
 * provider's configuration (and so the base URL).
 */
export async function describeModelServer(agent: Agent, requestContext: RequestContext = new RequestContext()): Promise<ModelServer> {
  return describeRawModel(await rawModel(agent, requestContext));
}

/**
 * The API key `agent`'s model sends, as far as its configuration shows it (an AI SDK provider's
 * `Authorization` header, a config object's `apiKey`); empty when it cannot be read. Used to mask
 * the key in provider messages, so it never throws.
 */
export async function modelApiKeys(agent: Agent): Promise<string[]> {
  try {
    const model = await rawModel(agent, new RequestContext());
    if (!model || typeof model !== 'object') return [];
    if (typeof model.apiKey === 'string') return [model.apiKey];
    const headers = (model.config as { headers?: unknown } | undefined)?.headers;
    const values = typeof headers === 'function' ? (headers() as Record<string, unknown>) : {};
    const authorization = Object.entries(values).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
    return typeof authorization === 'string' ? [authorization.replace(/^Bearer\s+/i, '')] : [];
  } catch {
    return [];
  }
}

async function rawModel(agent: Agent, requestContext: RequestContext): Promise<RawModel | undefined> {
  let model: unknown = agent.model;
  if (typeof model === 'function') model = await model({ requestContext, mastra: agent.getMastraInstance() });
  if (Array.isArray(model)) model = (model.find((entry: { enabled?: boolean }) => entry.enabled !== false) as { model?: unknown } | undefined)?.model;
  return model as RawModel | undefined;
}

function describeRawModel(model: RawModel | undefined): ModelServer {
  if (typeof model === 'string') return fromRouterId(model, null);
  if (!model || typeof model !== 'object') return { provider: 'unknown', modelId: 'unknown', baseUrl: null };
  const url = typeof model.url === 'string' ? model.url : null;
  if (typeof model.id === 'string' && !('provider' in model)) return fromRouterId(model.id, url, model.api);
  if (typeof model.providerId === 'string') return { provider: withApi(model.providerId, model.api), modelId: String(model.modelId), baseUrl: url };
  return { provider: String(model.provider ?? 'unknown'), modelId: String(model.modelId ?? 'unknown'), baseUrl: configuredBaseUrl(model) };
}

/** A Mastra router id such as "openai/gpt-4o-mini". */
function fromRouterId(id: string, baseUrl: string | null, api?: unknown): ModelServer {
  const slash = id.indexOf('/');
  return slash < 0 ? { provider: 'unknown', modelId: id, baseUrl } : { provider: withApi(id.slice(0, slash), api), modelId: id.slice(slash + 1), baseUrl };
}

const withApi = (provider: string, api: unknown) => (typeof api === 'string' ? `${provider}.${api}` : provider);

/** The base URL of a provider model (`config.url({ path })` of @ai-sdk/openai and its kin, or a URL string), or null. */
function configuredBaseUrl(model: { readonly [key: string]: unknown }): string | null {
  const config = model.config as { url?: unknown } | undefined;
  // Mastra's own router model keeps the configured URL as a string.
  if (typeof config?.url === 'string') return config.url;
  if (typeof config?.url !== 'function') return null;
  try {
    const url: unknown = config.url({ path: '', modelId: model.modelId });
    return typeof url === 'string' ? url : null;
  } catch {
    return null;
  }
}

/**
 * True for OpenAI's own API: a Responses model (only OpenAI's API speaks it in full), a model whose
 * base URL is api.openai.com, or an `openai/…` model id without a URL of its own.
 */
export function isOpenAIApi(server: ModelServer): boolean {
  if (server.provider === 'openai.responses') return true;
  if (server.baseUrl !== null) return hostOf(server.baseUrl) === 'api.openai.com';
  return server.provider === 'openai';
}

/** True for the test and demo models of `mastra-plan-execute/testing` and `ai/test`, which honour any request. */
export function isScriptedModel(server: ModelServer): boolean {
  return server.provider === 'scripted' || server.provider === 'mock';
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}
