import { createHmac } from 'node:crypto'
import type { AlertAction } from '../postgres/schema.js'

export interface NotifyConfig {
  /** Signs generic webhook bodies: `X-Tollgate-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
  webhookSecret?: string | undefined
  resendApiKey?: string | undefined
  /** Resend's API base; default https://api.resend.com (emails are POSTed to `<base>/emails`). */
  resendApiUrl?: string | undefined
  emailFrom?: string | undefined
  /** Attempts per notification (≥ 1) and the first backoff; each next waits twice as long. */
  attempts?: number | undefined
  backoffMs?: number | undefined
  timeoutMs?: number | undefined
  fetch?: typeof globalThis.fetch | undefined
  log: (event: string, fields: Record<string, unknown>) => void
}

/** What every notification says; the generic webhook sends it as is. */
export interface AlertPayload {
  kind: 'fired' | 'resolved' | 'sdk'
  project_id: string
  rule: { id: string; name: string; condition: string } | null
  value: number | null
  threshold: number | null
  window_s: number | null
  message: string
  at: string
  details?: Record<string, unknown> | undefined
}

export type NotifyOutcome = { outcome: 'sent' | 'failed' | 'skipped'; attempts: number; error?: string }

function request(
  action: AlertAction,
  target: string,
  payload: AlertPayload,
  config: NotifyConfig,
): { url: string; init: RequestInit } | null {
  const body = (value: unknown) => JSON.stringify(value)
  switch (action) {
    case 'webhook': {
      const text = body(payload)
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tollgate-alerts' }
      if (config.webhookSecret)
        headers['x-tollgate-signature'] =
          `sha256=${createHmac('sha256', config.webhookSecret).update(text).digest('hex')}`
      return { url: target, init: { method: 'POST', headers, body: text } }
    }
    case 'slack':
      // Slack's incoming-webhook shape (also taken by Mattermost, Discord's /slack endpoint, Rocket.Chat).
      return {
        url: target,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: body({ text: payload.message }),
        },
      }
    case 'email':
      if (!config.resendApiKey) return null
      return {
        url: `${(config.resendApiUrl ?? 'https://api.resend.com').replace(/\/+$/, '')}/emails`,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${config.resendApiKey}` },
          body: body({
            from: config.emailFrom ?? 'Tollgate <alerts@tollgate.local>',
            to: [target],
            subject: payload.message.slice(0, 200),
            text: `${payload.message}\n\n${JSON.stringify(payload, null, 2)}`,
          }),
        },
      }
    case 'log':
      return null
  }
}

/**
 * Sends one notification with retries and backoff; never throws. `log` always logs; `email` without
 * RESEND_API_KEY and actions without a target are skipped.
 */
export async function notify(
  action: AlertAction,
  target: string | null | undefined,
  payload: AlertPayload,
  config: NotifyConfig,
): Promise<NotifyOutcome> {
  if (action === 'log') {
    config.log('alert.notified', {
      kind: payload.kind,
      project: payload.project_id,
      rule: payload.rule?.id,
      value: payload.value,
      threshold: payload.threshold,
    })
    return { outcome: 'sent', attempts: 1 }
  }
  if (!target) return { outcome: 'skipped', attempts: 0, error: 'no target' }
  const req = request(action, target, payload, config)
  if (!req) return { outcome: 'skipped', attempts: 0, error: 'RESEND_API_KEY is not set' }
  const attempts = Math.max(1, config.attempts ?? 4)
  const doFetch = config.fetch ?? globalThis.fetch
  let error = ''
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await doFetch(req.url, { ...req.init, signal: AbortSignal.timeout(config.timeoutMs ?? 5000) })
      await res.arrayBuffer().catch(() => undefined)
      if (res.ok) return { outcome: 'sent', attempts: attempt }
      error = `HTTP ${res.status}`
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : 'request failed'
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, (config.backoffMs ?? 1000) * 2 ** (attempt - 1)))
  }
  config.log('alert.notify_failed', {
    kind: payload.kind,
    project: payload.project_id,
    rule: payload.rule?.id,
    action,
    attempts,
    error,
  })
  return { outcome: 'failed', attempts, error }
}
