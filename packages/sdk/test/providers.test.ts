import { describe, expect, it } from 'vitest'
import { detect } from '../src/instrument/providers.js'

describe.each([
  ['https://api.openai.com/v1/chat/completions', { provider: 'openai', flavor: 'openai', operation: 'chat' }],
  ['https://api.openai.com/v1/responses', { provider: 'openai', flavor: 'openai', operation: 'responses' }],
  ['https://api.openai.com/v1/embeddings', { provider: 'openai', flavor: 'openai', operation: 'embeddings' }],
  ['https://api.openai.com/v1/images/generations', { provider: 'openai', flavor: 'openai', operation: 'images' }],
  [
    'https://res1.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21',
    { provider: 'azure', flavor: 'openai', operation: 'chat' },
  ],
  ['https://api.anthropic.com/v1/messages', { provider: 'anthropic', flavor: 'anthropic', operation: 'chat' }],
  [
    'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent',
    { provider: 'google', flavor: 'gemini', operation: 'chat', pathModel: 'gemini-2.0-flash', pathStream: false },
  ],
  [
    'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
    { provider: 'google', flavor: 'gemini', operation: 'chat', pathModel: 'gemini-2.0-flash', pathStream: true },
  ],
  [
    'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/publishers/google/models/gemini-1.5-pro:generateContent',
    { provider: 'google', flavor: 'gemini', operation: 'chat', pathModel: 'gemini-1.5-pro' },
  ],
  ['https://api.mistral.ai/v1/chat/completions', { provider: 'mistral', operation: 'chat' }],
  ['https://api.groq.com/openai/v1/chat/completions', { provider: 'groq', operation: 'chat' }],
  ['https://api.cohere.com/v2/chat', { provider: 'cohere', flavor: 'cohere', operation: 'chat' }],
  ['https://api.together.xyz/v1/completions', { provider: 'together', operation: 'completion' }],
  ['https://api.fireworks.ai/inference/v1/chat/completions', { provider: 'fireworks', operation: 'chat' }],
  ['https://api.deepseek.com/chat/completions', { provider: 'deepseek', operation: 'chat' }],
  ['https://api.x.ai/v1/chat/completions', { provider: 'x-ai', operation: 'chat' }],
  ['https://openrouter.ai/api/v1/chat/completions', { provider: 'openrouter', operation: 'chat' }],
  ['http://localhost:11434/api/chat', { provider: 'ollama', flavor: 'ollama', operation: 'chat' }],
  ['http://127.0.0.1:11434/v1/chat/completions', { provider: 'ollama', flavor: 'openai', operation: 'chat' }],
  // OpenAI/Anthropic-compatible servers at any base URL (vLLM, LiteLLM, a test server).
  ['http://127.0.0.1:8000/v1/chat/completions', { provider: 'openai', flavor: 'openai', operation: 'chat' }],
  ['http://litellm.internal:4000/v1/messages', { provider: 'anthropic', flavor: 'anthropic', operation: 'chat' }],
  ['http://vllm:8000/proxy/v1/embeddings/', { provider: 'openai', operation: 'embeddings' }],
])('detect(%s)', (url, expected) => {
  it('recognises the call', () => {
    expect(detect(url, 'POST')).toMatchObject(expected)
  })
})

describe.each([
  ['GET of a model list', 'https://api.openai.com/v1/models', 'GET'],
  ['a GET on a chat path', 'http://127.0.0.1:8000/v1/chat/completions', 'GET'],
  ['token counting', 'https://api.anthropic.com/v1/messages/count_tokens', 'POST'],
  ["the app's own chat route", 'http://localhost:3000/api/chat', 'POST'],
  ['a path without /v1 on an unknown host', 'http://localhost:3000/chat/completions', 'POST'],
  ['the Tollgate ingest', 'http://localhost:3001/api/ingest', 'POST'],
  ['files upload', 'https://api.openai.com/v1/files', 'POST'],
  ['a malformed URL', 'not a url', 'POST'],
])('not an LLM call: %s', (_label, url, method) => {
  it('is left alone', () => {
    expect(detect(url, method)).toBeUndefined()
  })
})
