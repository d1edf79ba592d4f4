import { serve, type ServerType } from '@hono/node-server'
import type { Browser, Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/src/app.js'
import { removeDir, startTestServer } from '../../api/test/harness.js'
import {
  buildWeb,
  launch,
  rowTexts,
  screenshot,
  until,
  waitForRows,
  watchConsole,
  type ConsoleProblem,
} from './browser.js'

/**
 * The dashboard in a real headless Chromium (Debian's package) against a real Tollgate with API_KEY set:
 * login, every page, filters in the URL, a trace's waterfall, alert and budget CRUD through the forms.
 * Screenshots at 1440×900 land in test/screenshots/ (git-ignored).
 */
const KEY = 'e2e-dashboard-instance-key-0123456789'
const DAY = 86_400_000

let server: Awaited<ReturnType<typeof startTestServer>>
let local: ServerType
let localUrl: string
let browser: Browser
let page: Page
let problems: ConsoleProblem[]
/**
 * Failed loads a test provokes on purpose (Chromium logs each as a console error): the session probe
 * before login and the wrong key, the compliance score of a server without the reports module (the
 * panel hides on 404); tests add their own while they provoke one.
 */
const provoked: RegExp[] = [/\/api\/session$/, /\/compliance-score$/]

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0')
const traceId = (n: number) => `e2e0${hex(n, 28)}`
const spanId = (t: number, s: number) => `${hex(t, 8)}${hex(s, 8)}`

/** Twelve traces over eight days: agents handing off, an error, an unpriced model, tags and users. */
function seedSpans(): Record<string, unknown>[] {
  const spans: Record<string, unknown>[] = []
  const models = [
    ['openai', 'gpt-4o'],
    ['anthropic', 'claude-3-5-sonnet-20241022'],
    ['openai', 'gpt-4o-mini'],
  ] as const
  for (let t = 1; t <= 12; t++) {
    const start = Date.now() - (t % 8) * DAY - 3_600_000 - t * 60_000
    const at = (ms: number) => new Date(start + ms).toISOString()
    const [provider, model] = t === 7 ? (['acme', 'in-house-model-7'] as const) : (models[t % 3] ?? models[0])
    const failed = t === 5
    spans.push({
      trace_id: traceId(t),
      span_id: spanId(t, 1),
      name: t === 1 ? 'support.answer_ticket' : `workflow.run_${t}`,
      kind: 'agent',
      start_time: at(0),
      end_time: at(4200),
      status: failed ? 'error' : 'ok',
      agent: { id: 'planner', name: 'Planner', role: 'planner' },
      user_id: t % 2 ? 'alice' : 'bob',
      tags: { feature: t % 2 ? 'support' : 'search' },
    })
    spans.push({
      trace_id: traceId(t),
      span_id: spanId(t, 2),
      parent_span_id: spanId(t, 1),
      name: `${provider}.chat`,
      kind: 'llm',
      start_time: at(200),
      end_time: at(2600),
      status: failed ? 'error' : 'ok',
      error_message: failed ? 'rate limited by provider' : undefined,
      provider,
      model,
      agent: { id: 'researcher', name: 'Researcher', role: 'worker', parent_id: 'planner' },
      user_id: t % 2 ? 'alice' : 'bob',
      input: 'Summarise the ticket from jane.doe@example.com about the refund.',
      output: 'The customer asks for a refund of order 1234.',
      usage: { input_tokens: 1000 * t, output_tokens: 120 * t },
      tags: { feature: t % 2 ? 'support' : 'search' },
    })
    spans.push({
      trace_id: traceId(t),
      span_id: spanId(t, 3),
      parent_span_id: spanId(t, 1),
      name: 'tool.search_orders',
      kind: 'tool',
      start_time: at(2700),
      end_time: at(4000),
      status: 'ok',
      agent: { id: 'planner', name: 'Planner', role: 'planner' },
    })
  }
  return spans
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(server.url + path, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...(init.headers as Record<string, string>) },
  })
}

async function clickText(selector: string, text: string): Promise<void> {
  await page.locator(`${selector}::-p-text(${text})`).click()
}

beforeAll(async () => {
  buildWeb()
  server = await startTestServer({ API_KEY: KEY })
  // The same engines behind a local-mode app (no credentials configured), on its own port.
  const app = createApp({ ...server.deps, env: { ...server.deps.env, LOCAL_MODE: true, API_KEY: undefined } })
  await new Promise<void>((resolve) => {
    local = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      localUrl = `http://127.0.0.1:${info.port}`
      resolve()
    })
  })
  browser = await launch()
  page = await browser.newPage()
  page.on('dialog', (d) => void d.accept())
  problems = watchConsole(page, (p) => /^Failed to load resource/.test(p.text) && provoked.some((r) => r.test(p.url)))
})

afterAll(async () => {
  await browser?.close()
  await new Promise((r) => (local ? local.close(r) : r(undefined)))
  await server?.close()
  if (server) removeDir(server.dataDir)
})

describe('the dashboard in Chromium', () => {
  it('asks for a login and refuses a wrong key with the problem detail', async () => {
    await page.goto(server.url + '/')
    await page.waitForSelector('form[aria-label="Sign in"]')
    await page.type('#credential', 'tg_sk_this-is-not-a-valid-key-at-all')
    await page.click('form[aria-label="Sign in"] button[type=submit]')
    const alert = await page.waitForSelector('[role=alert]')
    expect(await alert?.evaluate((e) => e.textContent)).toMatch(/Unauthorized.*invalid credentials/)
    expect(await page.$('nav[aria-label="Pages"]')).toBeNull()
    await screenshot(page, '01-login-refused')
  })

  it('signs in with the right key (an HttpOnly cookie the page cannot read) and shows the first-span snippet', async () => {
    await page.click('#credential', { count: 3 })
    await page.keyboard.press('Backspace')
    await page.type('#credential', KEY)
    await page.click('form[aria-label="Sign in"] button[type=submit]')
    await page.waitForSelector('nav[aria-label="Pages"]')
    const cookies = await browser.cookies()
    const session = cookies.find((c) => c.name === 'tollgate_session')
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' })
    expect(await page.evaluate('document.cookie')).toBe('')
    // A fresh install: nothing to chart yet, so the page says how to send a span.
    const empty = await page.waitForSelector('section[aria-label="Send your first span"] pre')
    const snippet = await empty?.evaluate((e) => e.textContent ?? '')
    expect(snippet).toContain(`${server.url}/api/ingest`)
    expect(snippet).toContain('X-API-Key')
    await screenshot(page, '02-empty-state')
  })

  it('shows the overview of seeded spans: spend, calls, the chart, top lists, unpriced calls', async () => {
    const res = await api('/api/ingest?consistency=strong', { method: 'POST', body: JSON.stringify(seedSpans()) })
    expect(res.status).toBe(202)
    expect(((await res.json()) as { accepted: number }).accepted).toBe(36)
    await page.goto(server.url + '/')
    await page.waitForSelector('.kpis')
    await page.waitForSelector('.chart canvas')
    const kpis = await page.$$eval('.kpi', (els) => els.map((e) => e.textContent ?? ''))
    expect(kpis.find((k) => k.startsWith('Spend 30 days'))).toMatch(/\$\d/)
    await waitForRows(page, 'Top models', (rows) => rows.length === 5)
    expect((await rowTexts(page, 'Top agents')).join(' ')).toContain('Researcher')
    expect(await page.$eval('.warn-text', (e) => e.textContent)).toContain('acme/in-house-model-7')
    await screenshot(page, '03-overview')
    // Dark and light follow the OS.
    const light = await page.evaluate('getComputedStyle(document.body).backgroundColor')
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }])
    await page.reload()
    await page.waitForSelector('.chart canvas')
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).not.toBe(light)
    await screenshot(page, '03-overview-dark')
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }])
  })

  it('lists traces; filters change the list and the URL; the keyboard opens a trace', async () => {
    await page.click('nav a[href="/traces"]')
    const all = await waitForRows(page, 'Traces', (rows) => rows.length === 12)
    expect(all).toHaveLength(12)
    await screenshot(page, '04-traces')

    await page.select('select[name=status]', 'error')
    await waitForRows(page, 'Traces', (rows) => rows.length === 1)
    expect(new URL(page.url()).searchParams.get('status')).toBe('error')
    expect((await rowTexts(page, 'Traces'))[0]).toContain('workflow.run_5')

    await page.select('select[name=status]', '')
    await page.type('input[name=model]', 'gpt-4o-mini')
    await page.keyboard.press('Enter')
    await waitForRows(page, 'Traces', (rows) => rows.length === 4)
    expect(new URL(page.url()).searchParams.get('model')).toBe('gpt-4o-mini')

    // A tag filter is a tag.<key> parameter of the API, and of the URL.
    await page.type('input[name=tags]', 'feature=support')
    await page.keyboard.press('Enter')
    await waitForRows(page, 'Traces', (rows) => rows.length === 2)
    expect(new URL(page.url()).searchParams.get('tag.feature')).toBe('support')

    await page.select('select[name=sort]', 'cost')
    await until(() => new URL(page.url()).searchParams.get('sort') === 'cost')
    // The URL is the state: reloading it shows the same list.
    await page.reload()
    const reloaded = await waitForRows(page, 'Traces', (rows) => rows.length === 2)
    expect(reloaded.every((r) => r.includes('gpt-4o-mini'))).toBe(true)

    // Keyboard: focus the first row, move down, Enter opens that trace.
    await page.goto(server.url + '/traces')
    await waitForRows(page, 'Traces', (rows) => rows.length === 12)
    await page.focus('table[aria-label="Traces"] tbody tr')
    await page.keyboard.press('ArrowDown')
    const second = String(await page.evaluate('document.activeElement.textContent'))
    await page.keyboard.press('Enter')
    await until(() => new URL(page.url()).pathname.startsWith('/traces/'))
    await page.waitForSelector('.waterfall')
    expect(second).toContain(await page.$eval('h1', (e) => e.firstChild?.textContent ?? ''))
  })

  it('opens a trace with its waterfall, agent graph and span details', async () => {
    await page.goto(`${server.url}/traces/${traceId(1)}`)
    await page.waitForSelector('.waterfall')
    const bars = await page.$$eval('.waterfall .wf-row', (rows) => rows.map((r) => r.textContent ?? ''))
    expect(bars).toHaveLength(3)
    expect(bars[0]).toContain('support.answer_ticket')
    // Children sit inside their parent's time: the LLM bar starts right of the root's.
    const left = await page.$$eval('.wf-bar', (els) =>
      els.map((e) => /left:\s*([\d.]+)%/.exec(e.getAttribute('style') ?? '')?.[1]),
    )
    expect(parseFloat(left[1] ?? '0')).toBeGreaterThan(parseFloat(left[0] ?? '0'))
    await page.waitForSelector('svg[aria-label="agent graph"] rect')
    const agents = await page.$$eval('svg[aria-label="agent graph"] text', (els) => els.map((e) => e.textContent))
    expect(agents).toEqual(expect.arrayContaining(['planner', 'researcher']))
    const llm = (await page.$$('.wf-row'))[1]
    await llm?.click()
    await until(async () => (await page.$eval('.details', (e) => e.textContent ?? '')).includes('claude-3-5-sonnet'))
    const details = await page.$eval('.details', (e) => e.textContent ?? '')
    expect(details).toMatch(/1,000 in · 120 out/)
    // The flags shown are the stored ones (PII found by enrichment, or none).
    const stored = (await (await api(`/api/traces/${traceId(1)}/spans`)).json()) as {
      spans: Array<{ span_id: string; pii_detected: boolean; pii_types: string[]; injection_attempt: boolean }>
    }
    const llmSpan = stored.spans.find((s) => s.span_id === spanId(1, 2))
    expect(details).toContain(llmSpan?.pii_detected ? llmSpan.pii_types.join(', ') || 'detected' : 'none found')
    expect(details).toContain(llmSpan?.injection_attempt ? 'attempt flagged' : 'none flagged')
    // The compliance panel shows what the server scores, with the signed report's link; a 404 hides it.
    const scored = await api(`/api/traces/${traceId(1)}/compliance-score`)
    if (scored.status === 200) {
      const { score } = (await scored.json()) as { score: number }
      const panel = await page.waitForSelector('section[aria-label^="Compliance"]')
      expect(await panel?.$eval('.score strong', (e) => e.textContent)).toBe(String(score))
      const href = await panel?.$eval('a[download]', (a) => a.getAttribute('href'))
      expect(href).toBe(`/api/traces/${traceId(1)}/compliance-report`)
      // The link works with the session cookie alone (what a click sends).
      const pdf = await page.evaluate(async (h) => (await fetch(h ?? '')).headers.get('content-type'), href)
      expect(pdf).toBe('application/pdf')
    } else {
      expect(scored.status).toBe(404)
      expect(await page.$('section[aria-label^="Compliance"]')).toBeNull()
    }
    await screenshot(page, '05-trace')
  })

  it('breaks cost down by day, then by model (in the URL)', async () => {
    await page.goto(server.url + '/cost')
    const days = await waitForRows(page, 'Cost by day', (rows) => rows.length >= 7)
    expect(days.length).toBeGreaterThanOrEqual(7)
    await page.waitForSelector('section[aria-label="Cost per day by model"] .chart canvas')
    await screenshot(page, '06-cost-day')
    await page.select('form[aria-label="Cost range"] select', 'model')
    const models = await waitForRows(page, 'Cost by model', (rows) => rows.length === 5)
    expect(models.join(' ')).toContain('anthropic / claude-3-5-sonnet-20241022')
    expect(new URL(page.url()).searchParams.get('group')).toBe('model')
    await screenshot(page, '06-cost-model')
  })

  it('creates an alert rule through the form and deletes it', async () => {
    await page.goto(server.url + '/alerts')
    await page.waitForSelector('form[aria-label="New alert rule"]')
    await page.type('form[aria-label="New alert rule"] input[name=name]', 'Spend spike')
    await page.select('form[aria-label="New alert rule"] select[name=condition]', 'cost_per_hour')
    await page.type('form[aria-label="New alert rule"] input[name=threshold]', '5')
    await page.type('form[aria-label="New alert rule"] input[name=cooldown_s]', '900')
    await page.click('form[aria-label="New alert rule"] button[type=submit]')
    await waitForRows(page, 'Alert rules', (rows) => rows.some((r) => r.includes('Spend spike')))
    type Rules = { rules: Array<{ name: string; threshold: number; enabled: boolean; cooldown_s: number }> }
    const stored = (await (await api('/api/alerts')).json()) as Rules
    expect(stored.rules).toEqual([expect.objectContaining({ name: 'Spend spike', threshold: 5, cooldown_s: 900 })])
    await screenshot(page, '07-alerts')
    // Disabling changes that and nothing else.
    await clickText('table[aria-label="Alert rules"] button', 'Disable')
    await waitForRows(page, 'Alert rules', (rows) => rows.some((r) => r.includes('Enable')))
    const disabled = (await (await api('/api/alerts')).json()) as Rules
    expect(disabled.rules).toEqual([expect.objectContaining({ enabled: false, threshold: 5, cooldown_s: 900 })])
    // A refused form shows the problem's detail (a webhook needs an http(s) target).
    provoked.push(/\/api\/alerts$/)
    await page.type('form[aria-label="New alert rule"] input[name=name]', 'Bad hook')
    await page.type('form[aria-label="New alert rule"] input[name=threshold]', '1')
    await page.select('form[aria-label="New alert rule"] select[name=action_type]', 'webhook')
    await page.type('form[aria-label="New alert rule"] input[name=target]', 'not-a-url')
    await page.click('form[aria-label="New alert rule"] button[type=submit]')
    const refused = await page.waitForSelector('section[aria-label="New rule"] [role=alert]')
    expect(await refused?.evaluate((e) => e.textContent)).toMatch(/Invalid request.*target/)
    provoked.pop()
    await page.click('button[aria-label="Delete rule Spend spike"]')
    await waitForRows(page, 'Alert rules', (rows) => !rows.some((r) => r.includes('Spend spike')))
    expect(((await (await api('/api/alerts')).json()) as { rules: unknown[] }).rules).toEqual([])
  })

  it("creates a budget and shows its window's spend against the limit", async () => {
    await page.goto(server.url + '/budgets')
    await page.waitForSelector('form[aria-label="New budget"]')
    await page.type('form[aria-label="New budget"] input[name=name]', 'Daily cap')
    await page.type('form[aria-label="New budget"] input[name=limit_usd]', '0.005')
    await page.select('form[aria-label="New budget"] select[name=window]', 'rolling_24h')
    await page.click('form[aria-label="New budget"] button[type=submit]')
    const rows = await waitForRows(page, 'Budgets', (r) =>
      r.some((t) => t.includes('Daily cap') && /\$[\d.]+ \/ \$0\.005/.test(t)),
    )
    // The spend shown is the server's spend for the window.
    const policy = (await (await api('/api/policy')).json()) as { budgets: Array<{ name?: string; spent_usd: number }> }
    const spent = policy.budgets.find((b) => b.name === 'Daily cap')?.spent_usd ?? -1
    expect(spent).toBeGreaterThan(0)
    const shown = rows.find((t) => t.includes('Daily cap')) ?? ''
    const usd = Number(/\$([\d.,]+) \//.exec(shown)?.[1]?.replace(/,/g, ''))
    expect(usd).toBeCloseTo(spent, 3)
    await screenshot(page, '08-budgets')
    // Disabled, it leaves the policy the SDKs enforce, and comes back when enabled.
    await clickText('table[aria-label="Budgets"] button', 'Disable')
    await waitForRows(page, 'Budgets', (r) => r.some((t) => t.includes('Daily cap') && t.includes('disabled')))
    const off = (await (await api('/api/policy')).json()) as { budgets: Array<{ name?: string }> }
    expect(off.budgets.map((b) => b.name)).not.toContain('Daily cap')
    await clickText('table[aria-label="Budgets"] button', 'Enable')
    await waitForRows(page, 'Budgets', (r) => r.some((t) => t.includes('Daily cap') && t.includes('block')))
  })

  it('lists projects and keys and shows a new key once', async () => {
    await page.goto(server.url + '/settings')
    await waitForRows(page, 'Projects', (rows) => rows.some((r) => r.includes('default')))
    await clickText('button', 'New read key')
    const key = await page.waitForSelector('.notice pre')
    expect(await key?.evaluate((e) => e.textContent)).toMatch(/^tg_sk_/)
    await waitForRows(page, 'API keys', (rows) => rows.length === 1)
    await screenshot(page, '09-settings')
  })

  it('brings the login back when the session ends under a page', async () => {
    provoked.push(/\/api\/traces/)
    const [cookie] = (await browser.cookies()).filter((c) => c.name === 'tollgate_session')
    expect(cookie).toBeDefined()
    await browser.deleteCookie(...(cookie ? [cookie] : []))
    await page.click('nav a[href="/traces"]')
    await page.waitForSelector('form[aria-label="Sign in"]')
    provoked.pop()
    await page.type('#credential', KEY)
    await page.click('form[aria-label="Sign in"] button[type=submit]')
    await page.waitForSelector('nav[aria-label="Pages"]')
  })

  it('logs out: the cookie is gone and the login is back', async () => {
    await clickText('button', 'Log out')
    await page.waitForSelector('form[aria-label="Sign in"]')
    expect((await browser.cookies()).find((c) => c.name === 'tollgate_session')).toBeUndefined()
  })

  it('needs no login in local mode', async () => {
    await page.goto(localUrl + '/')
    await page.waitForSelector('.kpis')
    expect(await page.$eval('.who', (e) => e.textContent)).toContain('local mode')
    expect(await page.$('form[aria-label="Sign in"]')).toBeNull()
  })

  it('logged no console error, CSP violation or uncaught exception on any page', () => {
    expect(problems).toEqual([])
  })
})
