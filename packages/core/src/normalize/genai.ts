import { providerId } from '../providers.js'
import type { SpanKind } from '../span.js'

/**
 * LLM attributes of an OpenTelemetry span, in the three vocabularies found in the wild, mapped onto
 * wire v1 fields: the GenAI semantic conventions (current names and the older ones still emitted),
 * OpenInference (`llm.*`, `input.value`, `openinference.span.kind`), and the flat `llm.*` family of
 * SynapseKit and instrumentation-sdk. The first name present wins, in the order listed.
 */
export type Attrs = Readonly<Record<string, unknown>>

const PROVIDER = ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system']
const MODEL = ['gen_ai.request.model', 'llm.model_name', 'llm.model', 'llm.request.model', 'gen_ai.response.model']
const INPUT_TOKENS = [
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.token_count.prompt',
  'llm.prompt_tokens',
  'llm.usage.prompt_tokens',
]
const OUTPUT_TOKENS = [
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.completion_tokens',
  'llm.token_count.completion',
  'llm.completion_tokens',
  'llm.usage.completion_tokens',
]
const TOTAL_TOKENS = [
  'gen_ai.usage.total_tokens',
  'llm.token_count.total',
  'llm.total_tokens',
  'llm.usage.total_tokens',
]
const CACHE_READ = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'llm.token_count.prompt_details.cache_read',
]
const CACHE_WRITE = [
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'llm.token_count.prompt_details.cache_write',
]
const REASONING = [
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.usage.reasoning_tokens',
  'llm.token_count.completion_details.reasoning',
]
const INPUT_TEXT = ['gen_ai.input.messages', 'gen_ai.prompt', 'input.value', 'llm.prompt']
const OUTPUT_TEXT = ['gen_ai.output.messages', 'gen_ai.completion', 'output.value', 'llm.completion', 'llm.response']

/** GenAI `gen_ai.provider.name` values that differ from the pricer's provider ids. */
const SEMCONV_PROVIDERS: Record<string, string> = {
  'aws.bedrock': 'aws',
  'azure.ai.openai': 'azure',
  'az.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'az.ai.inference': 'azure',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  mistral_ai: 'mistral',
  x_ai: 'x-ai',
  'ibm.watsonx.ai': 'ibm',
}

/** `gen_ai.operation.name` → span kind. */
const OPERATION_KINDS: Record<string, SpanKind> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  completion: 'llm',
  embeddings: 'embedding',
  embedding: 'embedding',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
  invoke_workflow: 'chain',
  retrieval: 'retrieval',
}

/** `openinference.span.kind` → span kind. */
const OPENINFERENCE_KINDS: Record<string, SpanKind> = {
  llm: 'llm',
  embedding: 'embedding',
  tool: 'tool',
  retriever: 'retrieval',
  agent: 'agent',
  chain: 'chain',
}

export function genaiProvider(name: string): string {
  const key = name.trim().toLowerCase()
  return SEMCONV_PROVIDERS[key] ?? providerId(key)
}

const first = (a: Attrs, keys: readonly string[]): unknown => {
  for (const k of keys) {
    const v = a[k]
    if (v !== undefined && v !== null && v !== '') return v
  }
  return undefined
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** Token counts arrive as numbers, int64 strings (protobuf) or numeric text; anything else is absent. */
export function count(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined
}

function usd(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined
}

/** The wire v1 fields an LLM span's attributes describe; absent keys are left out. */
export interface GenAiFields {
  kind?: SpanKind
  provider?: string
  model?: string
  response_model?: string
  operation?: string
  usage?: Record<string, number>
  cost?: { total_usd?: number; input_usd?: number; output_usd?: number }
  agent?: { id?: string; name?: string }
  user_id?: string
  session_id?: string
  input?: unknown
  output?: unknown
}

export function genaiFields(a: Attrs): GenAiFields {
  const out: GenAiFields = {}
  const provider = str(first(a, PROVIDER))
  if (provider) out.provider = genaiProvider(provider)
  const model = str(first(a, MODEL))
  if (model) out.model = model
  const responseModel = str(a['gen_ai.response.model'])
  if (responseModel) out.response_model = responseModel

  const operation = str(a['gen_ai.operation.name'])?.toLowerCase()
  const oiKind = str(a['openinference.span.kind'])?.toLowerCase()
  if (operation) out.operation = operation
  else if (oiKind === 'llm') out.operation = 'chat'
  else if (oiKind === 'embedding') out.operation = 'embeddings'
  const kind = (operation && OPERATION_KINDS[operation]) || (oiKind && OPENINFERENCE_KINDS[oiKind]) || undefined
  if (kind) out.kind = kind
  else if (model) out.kind = 'llm'

  const input = count(first(a, INPUT_TOKENS))
  const output = count(first(a, OUTPUT_TOKENS))
  const total = count(first(a, TOTAL_TOKENS))
  const cacheRead = count(first(a, CACHE_READ))
  const cacheWrite = count(first(a, CACHE_WRITE))
  const reasoning = count(first(a, REASONING))
  if ([input, output, total, cacheRead, cacheWrite, reasoning].some((v) => v !== undefined)) {
    let inputTokens = input ?? 0
    const cached = (cacheRead ?? 0) + (cacheWrite ?? 0)
    // Tollgate counts input as all input, cached included (OpenAI's and the semconv's convention);
    // Anthropic-style reports count cache reads and writes apart from input_tokens.
    if (cached > inputTokens) inputTokens += cached
    // Output includes reasoning; a report of more reasoning than output counted it apart (Gemini's way).
    const outputTokens = (reasoning ?? 0) > (output ?? 0) ? (output ?? 0) + (reasoning ?? 0) : (output ?? 0)
    out.usage = {
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      ...(total !== undefined && total >= inputTokens + outputTokens ? { total_tokens: total } : {}),
      ...(cacheRead !== undefined ? { cache_read_tokens: cacheRead } : {}),
      ...(cacheWrite !== undefined ? { cache_write_tokens: cacheWrite } : {}),
      ...(reasoning !== undefined ? { reasoning_tokens: reasoning } : {}),
    }
  }

  // A cost the producer computed is kept as reported (SynapseKit's llm.cost_usd, OpenInference llm.cost.*).
  const totalUsd = usd(first(a, ['llm.cost_usd', 'llm.cost.total', 'gen_ai.usage.cost']))
  const inputUsd = usd(a['llm.cost.prompt'])
  const outputUsd = usd(a['llm.cost.completion'])
  if (totalUsd !== undefined || inputUsd !== undefined || outputUsd !== undefined) {
    out.cost = {
      ...(totalUsd !== undefined ? { total_usd: totalUsd } : {}),
      ...(inputUsd !== undefined ? { input_usd: inputUsd } : {}),
      ...(outputUsd !== undefined ? { output_usd: outputUsd } : {}),
    }
  }

  const agentName = str(a['gen_ai.agent.name'])
  const agentId = str(a['gen_ai.agent.id'])
  if (agentName || agentId)
    out.agent = { ...(agentId ? { id: agentId } : {}), ...(agentName ? { name: agentName } : {}) }

  const user = str(first(a, ['user.id', 'enduser.id', 'gen_ai.user.id']))
  if (user) out.user_id = user
  const session = str(first(a, ['gen_ai.conversation.id', 'session.id', 'gen_ai.session.id']))
  if (session) out.session_id = session

  const inputText = first(a, INPUT_TEXT)
  if (inputText !== undefined) out.input = inputText
  const outputText = first(a, OUTPUT_TEXT)
  if (outputText !== undefined) out.output = outputText
  return out
}
