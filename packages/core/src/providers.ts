/**
 * Provider names as SDKs spell them ("OpenAI", "Together AI", "Azure OpenAI", "gemini") mapped to the
 * ids used for storage and pricing (the ids of @pydantic/genai-prices where one exists).
 */
const ALIASES: Record<string, string> = {
  openai: 'openai',
  'azure openai': 'azure',
  azure_openai: 'azure',
  azure: 'azure',
  anthropic: 'anthropic',
  gemini: 'google',
  google: 'google',
  'google ai': 'google',
  vertex: 'google',
  vertexai: 'google',
  mistral: 'mistral',
  mistralai: 'mistral',
  cohere: 'cohere',
  groq: 'groq',
  'together ai': 'together',
  together_ai: 'together',
  together: 'together',
  fireworks: 'fireworks',
  'fireworks ai': 'fireworks',
  deepseek: 'deepseek',
  xai: 'x-ai',
  'x-ai': 'x-ai',
  grok: 'x-ai',
  openrouter: 'openrouter',
  ollama: 'ollama',
  bedrock: 'aws',
  'aws bedrock': 'aws',
}

export function providerId(name: string): string {
  const key = name.trim().toLowerCase()
  return ALIASES[key] ?? key.replace(/\s+/g, '-')
}
