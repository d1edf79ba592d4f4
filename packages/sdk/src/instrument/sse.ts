import { StringDecoder } from 'node:string_decoder'

export interface SseEvent {
  event?: string
  data: string
}

// A line longer than this is not an LLM event; stop buffering rather than grow without bound.
const MAX_LINE = 4 * 1024 * 1024

/**
 * Incremental Server-Sent Events parser (WHATWG rules: CR, LF or CRLF line ends, multi-line
 * `data`, comments). It reads a copy of the bytes; the application's stream is never touched.
 */
export class SseParser {
  private readonly decoder = new StringDecoder('utf8')
  private buf = ''
  private data: string[] = []
  private event: string | undefined
  private overflow = false

  constructor(private readonly onEvent: (e: SseEvent) => void) {}

  push(chunk: Buffer | Uint8Array): void {
    this.feed(
      this.decoder.write(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      ),
    )
  }

  end(): void {
    this.feed(this.decoder.end())
    if (this.buf) this.line(this.buf.replace(/\r$/, ''))
    this.buf = ''
    this.dispatch()
  }

  private feed(text: string): void {
    if (!text) return
    let start = 0
    const s = this.buf + text
    if (s.includes('\r')) {
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c !== 10 && c !== 13) continue
        // A CR at the very end may be half of a CRLF cut by the chunk boundary: wait for more.
        if (c === 13 && i === s.length - 1) break
        this.line(s.slice(start, i))
        if (c === 13 && s.charCodeAt(i + 1) === 10) i++
        start = i + 1
      }
    } else {
      // The common case (LF only): let indexOf find line ends.
      for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', start)) {
        this.line(s.slice(start, i))
        start = i + 1
      }
    }
    this.buf = s.slice(start)
    if (this.buf.length > MAX_LINE) {
      this.buf = ''
      this.overflow = true
    }
  }

  private line(line: string): void {
    if (this.overflow) {
      this.overflow = false
      return
    }
    if (line === '') return this.dispatch()
    if (line.charCodeAt(0) === 58) return // ':' comment
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === 32) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
  }

  private dispatch(): void {
    if (this.data.length) this.onEvent({ event: this.event, data: this.data.join('\n') })
    this.data = []
    this.event = undefined
  }
}

/** Newline-delimited JSON (Ollama's native streams), same contract as {@link SseParser}. */
export class NdjsonParser {
  private readonly decoder = new StringDecoder('utf8')
  private buf = ''

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | Uint8Array): void {
    const s =
      this.buf +
      this.decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    const lines = s.split('\n')
    this.buf = lines.pop() ?? ''
    if (this.buf.length > MAX_LINE) this.buf = ''
    for (const l of lines) if (l.trim()) this.onLine(l)
  }

  end(): void {
    const rest = this.buf + this.decoder.end()
    this.buf = ''
    if (rest.trim()) this.onLine(rest)
  }
}
