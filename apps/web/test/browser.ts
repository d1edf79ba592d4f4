import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'

const webDir = fileURLToPath(new URL('..', import.meta.url))
/** Git-ignored (apps/web/.gitignore): the run's screenshots, to look at. */
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))

/** Builds apps/web/dist (what the API serves) from the current sources. */
export function buildWeb(): void {
  // apps/web's own vite (the root one is vitest's); its bin is not in the package's exports.
  const entry = createRequire(join(webDir, 'package.json')).resolve('vite')
  const vite = join(entry.slice(0, entry.lastIndexOf(`${sep}vite${sep}`) + 6), 'bin', 'vite.js')
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' })
}

/**
 * Debian's `chromium` (installed by .ci/run), or CHROMIUM_PATH. Missing is a failure, not a skip: a
 * dashboard nobody opened in a browser is not tested.
 */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => !!p,
  )
  const found = candidates.find((p) => existsSync(p))
  if (!found) throw new Error('no Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)')
  return found
}

export function launch(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in CI containers cannot use Chromium's sandbox; /dev/shm is small there.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--lang=en-US'],
    defaultViewport: { width: 1440, height: 900 },
  })
}

export interface ConsoleProblem {
  text: string
  url: string
}

/**
 * Every console error and uncaught exception of the page (CSP violations are console errors too).
 * `expected` lets through the failed loads a test provokes on purpose (a 401 before login, a 404 of
 * an endpoint that is not there), matched on the resource URL.
 */
export function watchConsole(page: Page, expected: (p: ConsoleProblem) => boolean): ConsoleProblem[] {
  const problems: ConsoleProblem[] = []
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const p = { text: msg.text(), url: msg.location().url ?? '' }
    if (!expected(p)) problems.push(p)
  })
  page.on('pageerror', (err) => problems.push({ text: String(err), url: page.url() }))
  return problems
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false })
}

/** The text of every row of the table labelled `label`. */
export function rowTexts(page: Page, label: string): Promise<string[]> {
  return page.$$eval(`table[aria-label="${label}"] tbody tr`, (rows) => rows.map((r) => r.textContent ?? ''))
}

/** Polls `check` from Node (the page's CSP forbids the eval a string predicate would need) for up to 20 s. */
export async function until(check: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Polls (from Node, so the page's CSP is not involved) until the rows of table `label` satisfy `done`. */
export async function waitForRows(page: Page, label: string, done: (rows: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const rows = await rowTexts(page, label)
    if (done(rows)) return rows
    if (Date.now() > deadline) throw new Error(`table ${label}: rows never matched; last: ${JSON.stringify(rows)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
