import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { ApiError } from '../api/client.js'

/** An error as the API described it: problem title, detail and request id (for the logs). */
export function ErrorBox({ error }: { error: unknown }) {
  const problem = error instanceof ApiError ? error.problem : null
  const title = problem?.title ?? (error instanceof ApiError ? `HTTP ${error.status}` : 'Request failed')
  const detail = problem?.detail ?? (error instanceof Error ? error.message : String(error))
  return (
    <div class="problem" role="alert">
      <strong>{title}</strong>
      <span> — {detail}</span>
      {problem?.request_id ? <small class="muted"> (request {problem.request_id})</small> : null}
    </div>
  )
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="muted" aria-busy="true">
      {what}…
    </p>
  )
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false)
  return (
    <button
      type="button"
      class="secondary small"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setDone(true)
          setTimeout(() => setDone(false), 1500)
        })
      }}
    >
      {done ? 'Copied' : label}
    </button>
  )
}

export function Card(props: { title: string; children: ComponentChildren; wide?: boolean; class?: string }) {
  const { title, children, wide } = props
  return (
    <section class={['card', wide ? 'wide' : '', props.class ?? ''].join(' ').trim()} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  )
}

/** A fresh install has nothing to show: say how to send the first span, copyable. */
export function FirstSpan({ needsKey }: { needsKey: boolean }) {
  const origin = location.origin
  const snippet = [
    `curl -s -X POST '${origin}/api/ingest?consistency=strong' \\`,
    `  -H 'content-type: application/json' \\`,
    ...(needsKey ? [`  -H "X-API-Key: $TOLLGATE_API_KEY" \\`] : []),
    `  -d '{ "name": "openai.chat.completions", "provider": "openai", "model": "gpt-4o",`,
    `        "start_time": "'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'",`,
    `        "usage": { "input_tokens": 1200, "output_tokens": 80 } }'`,
  ].join('\n')
  return (
    <section class="card wide empty" aria-label="Send your first span">
      <h2>No spans yet</h2>
      <p>
        Send one from a shell (or instrument an app with <code>@tollgate/sdk</code>: <code>init(); instrument()</code>
        ), then reload:
      </p>
      <pre class="snippet">{snippet}</pre>
      <CopyButton text={snippet} label="Copy snippet" />
    </section>
  )
}
