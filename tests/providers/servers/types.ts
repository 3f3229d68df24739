import type { IncomingHttpHeaders } from 'node:http';

/** One message of the conversation a server hands to its brain, whatever the wire format was. */
export interface BrainMessage {
  /** `developer` input items (Responses API) are given as `system`. */
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  /** The text; content parts are joined with newlines; '' when the message has none. */
  readonly content: string;
  /** Tool calls of an assistant message. */
  readonly toolCalls?: readonly BrainToolCallMade[];
  /** For a tool message: the id of the call it answers. */
  readonly toolCallId?: string;
  /** For a tool message: the name of the tool, looked up from the call it answers ('' when unknown). */
  readonly toolName?: string;
}

/** A tool call already in the conversation. */
export interface BrainToolCallMade {
  readonly id: string;
  readonly name: string;
  /** The arguments as the JSON text the client sent. */
  readonly arguments: string;
}

/** A function tool offered in the request. */
export interface BrainTool {
  readonly name: string;
  readonly description: string;
  /** The JSON Schema of the arguments, as sent. */
  readonly parameters: unknown;
  /** The tool's `strict` flag, when sent. */
  readonly strict?: boolean;
}

/** The structured-output request (`response_format` / `text.format`), normalised. */
export type ResponseFormat =
  | { readonly type: 'json_schema'; readonly name: string; readonly schema: Record<string, unknown>; readonly strict: boolean }
  | { readonly type: 'json_object' };

/** What a brain is asked: the conversation and the request's options, after the server's rules. */
export interface BrainRequest {
  /** The stand-in's name, e.g. `ollama`, for brains that want to know. */
  readonly server: string;
  readonly model: string;
  readonly messages: readonly BrainMessage[];
  readonly tools: readonly BrainTool[];
  /** null when the request asked for plain text. */
  readonly responseFormat: ResponseFormat | null;
  /**
   * false when no tool call of this answer can reach the client (no tools, `tool_choice: "none"`, or a
   * server rule such as Ollama's format for a model that does not think): the brain must answer with content then.
   */
  readonly toolCallsAllowed: boolean;
  /** true when the server constrains the content to `responseFormat` (grammar / strict decoding). */
  readonly formatEnforced: boolean;
}

/** A tool call the brain wants to make. */
export interface BrainToolCall {
  readonly name: string;
  /** Serialised to the JSON string of the wire format. */
  readonly arguments: unknown;
}

/** What the model "says": content, tool calls, or both, and what it thought first. */
export interface BrainReply {
  readonly content?: string;
  readonly toolCalls?: readonly BrainToolCall[];
  /**
   * What a thinking model writes between its `<think>` tags before answering. Where it reaches
   * the client is the server's rule: a reasoning field (llama.cpp's `reasoning_content`, vLLM's
   * and Ollama's `reasoning`), the content (llama.cpp `--reasoning-format none`), or nowhere.
   */
  readonly reasoning?: string;
}

/** Decides what the model says; called once per model request. Throwing makes the server answer 500. */
export type Brain = (request: BrainRequest) => BrainReply;

/** One HTTP request a stand-in received. */
export interface RecordedRequest {
  /** 1 for the first request the server received. */
  readonly index: number;
  readonly method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON; the raw text when it is not JSON; undefined when too large. */
  readonly body: unknown;
  /** `Date.now()` when the body had arrived: how long a client waited between requests. */
  readonly receivedAt: number;
  /** The status the server answered with (set once answered). */
  status: number;
}

/** One model call that reached the brain: what it was asked, what it said, what went to the client. */
export interface Exchange {
  /** The `RecordedRequest.index` of the HTTP request. */
  readonly requestIndex: number;
  readonly request: BrainRequest;
  readonly reply: BrainReply;
  /** Tool calls the client received (the brain's, minus any the server's rules dropped). */
  readonly toolCallsSent: readonly BrainToolCall[];
  /** The content the client received after the server's rules (a think block, an indented dump, …); null for none. */
  readonly contentSent: string | null;
  /** The reasoning the client received in the server's reasoning field; null for none. */
  readonly reasoningSent: string | null;
}

/** A running stand-in server. */
export interface StandInServer {
  /** The stand-in's name, e.g. `ollama`. */
  readonly name: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `url` + `/v1`: what `OPENAI_BASE_URL` / `createOpenAI({ baseURL })` takes. */
  readonly baseURL: string;
  /** Every HTTP request, in arrival order, including the rejected ones. */
  readonly requests: readonly RecordedRequest[];
  /** Every model call that reached the brain, in order. */
  readonly exchanges: readonly Exchange[];
  /** Stops listening and drops open keep-alive connections. */
  close(): Promise<void>;
}

/** Limits every stand-in applies. */
export interface ServerLimits {
  /** A larger request body is refused with 413 and not parsed. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** Requests answered; later ones get a 500 naming the cap, so a runaway loop fails loudly. @default 200 */
  readonly maxRequests?: number;
}

/** Options every brain-backed stand-in takes. */
export interface StandInOptions extends ServerLimits {
  /** Decides what the model says. */
  readonly brain: Brain;
}
