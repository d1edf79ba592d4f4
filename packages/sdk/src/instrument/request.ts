import { at, str, tryParse } from './json.js'
import type { Detected } from './providers.js'

/** What the request said, as far as telemetry cares. */
export interface RequestInfo {
  model?: string
  stream: boolean
  /** The prompt part of the body (messages, input, contents...), not tools or settings. */
  input?: unknown
  bodyBytes: number
}

export function readRequest(detected: Detected, text: string | undefined): RequestInfo {
  const body = text === undefined ? undefined : tryParse(text)
  const bytes = text === undefined ? 0 : text.length
  const stream = at(body, 'stream') === true || detected.pathStream === true
  const model = str(at(body, 'model')) ?? detected.pathModel
  let input: unknown
  switch (detected.flavor) {
    case 'anthropic':
      input =
        at(body, 'system') === undefined
          ? at(body, 'messages')
          : { system: at(body, 'system'), messages: at(body, 'messages') }
      break
    case 'gemini':
      input =
        at(body, 'systemInstruction') === undefined
          ? (at(body, 'contents') ?? at(body, 'content'))
          : { system: at(body, 'systemInstruction'), contents: at(body, 'contents') }
      break
    default: {
      const instructions = at(body, 'instructions')
      const main = at(body, 'messages') ?? at(body, 'input') ?? at(body, 'prompt')
      input = instructions === undefined ? main : { instructions, input: main }
    }
  }
  return { model, stream, input, bodyBytes: bytes }
}
