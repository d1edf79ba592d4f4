/** Wire format family of a provider API: decides how requests and responses are read. */
export type Flavor = 'openai' | 'anthropic' | 'gemini' | 'cohere' | 'ollama'

export interface Detected {
  /** Provider id; the same ids as @pydantic/genai-prices so the server prices spans alike. */
  provider: string
  flavor: Flavor
  operation: string
  /** host[:port] of the server, as `server.address`. */
  host?: string
  /** Gemini names the model in the path. */
  pathModel?: string
  /** Gemini's streamGenerateContent streams whatever the body says. */
  pathStream?: boolean
}

const HOSTS: Record<string, string> = {
  'api.openai.com': 'openai',
  'api.anthropic.com': 'anthropic',
  'generativelanguage.googleapis.com': 'google',
  'aiplatform.googleapis.com': 'google',
  'api.mistral.ai': 'mistral',
  'api.groq.com': 'groq',
  'api.cohere.com': 'cohere',
  'api.cohere.ai': 'cohere',
  'api.together.xyz': 'together',
  'api.together.ai': 'together',
  'api.fireworks.ai': 'fireworks',
  'api.deepseek.com': 'deepseek',
  'api.x.ai': 'x-ai',
  'openrouter.ai': 'openrouter',
}

const AZURE_SUFFIXES = ['.openai.azure.com', '.cognitiveservices.azure.com', '.services.ai.azure.com']

export function providerForHost(host: string, port: string): string | undefined {
  const known = HOSTS[host]
  if (known) return known
  if (host.endsWith('-aiplatform.googleapis.com')) return 'google'
  if (AZURE_SUFFIXES.some((s) => host.endsWith(s))) return 'azure'
  if (port === '11434') return 'ollama'
  return undefined
}

// Paths an OpenAI- or Anthropic-compatible server exposes, recognised at any base URL.
const COMPAT: [RegExp, Flavor, string][] = [
  [/\/v1\/chat\/completions$/, 'openai', 'chat'],
  [/\/v1\/completions$/, 'openai', 'completion'],
  [/\/v1\/responses$/, 'openai', 'responses'],
  [/\/v1\/embeddings$/, 'openai', 'embeddings'],
  [/\/v1\/messages$/, 'anthropic', 'chat'],
]

// Further operations recognised only on a known provider host.
const KNOWN_ONLY: [RegExp, Flavor, string][] = [
  [/\/chat\/completions$/, 'openai', 'chat'],
  [/\/completions$/, 'openai', 'completion'],
  [/\/responses$/, 'openai', 'responses'],
  [/\/embeddings$/, 'openai', 'embeddings'],
  [/\/images\/(generations|edits|variations)$/, 'openai', 'images'],
  [/\/audio\/(transcriptions|translations|speech)$/, 'openai', 'audio'],
  [/\/moderations$/, 'openai', 'moderations'],
  [/\/v2\/chat$/, 'cohere', 'chat'],
  [/\/v[12]\/embed$/, 'cohere', 'embeddings'],
  [/^\/api\/chat$/, 'ollama', 'chat'],
  [/^\/api\/generate$/, 'ollama', 'completion'],
  [/^\/api\/embed(dings)?$/, 'ollama', 'embeddings'],
]

const GEMINI = /\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/

/**
 * Is this request an LLM call, and of which kind? Known hosts first, then the path shapes of
 * OpenAI/Anthropic-compatible servers (vLLM, LiteLLM, a test server) at any base URL.
 */
export function detect(url: string, method: string | undefined): Detected | undefined {
  if (method !== undefined && method.toUpperCase() !== 'POST') return undefined
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  const path = parsed.pathname.replace(/\/+$/, '')
  const host = parsed.host
  const provider = providerForHost(parsed.hostname.toLowerCase(), parsed.port)
  if (provider === 'google' || GEMINI.test(path)) {
    const m = GEMINI.exec(path)
    if (!m) return undefined
    const verb = m[2] ?? ''
    return {
      provider: 'google',
      host,
      flavor: 'gemini',
      operation: verb.includes('mbed') ? 'embeddings' : 'chat',
      pathModel: decodeURIComponent(m[1] ?? ''),
      pathStream: verb === 'streamGenerateContent',
    }
  }
  if (provider) {
    if (provider === 'anthropic' && path.endsWith('/messages'))
      return { provider, host, flavor: 'anthropic', operation: 'chat' }
    for (const [re, flavor, operation] of KNOWN_ONLY) if (re.test(path)) return { provider, host, flavor, operation }
    return undefined
  }
  for (const [re, flavor, operation] of COMPAT) {
    if (re.test(path)) return { provider: flavor === 'anthropic' ? 'anthropic' : 'openai', host, flavor, operation }
  }
  return undefined
}
