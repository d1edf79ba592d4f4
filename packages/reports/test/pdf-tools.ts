import { execFileSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { extractText, getDocumentProxy } from 'unpdf'

/** The text of every page, joined (pdf.js through unpdf). */
export async function pdfText(pdf: Uint8Array): Promise<{ pages: number; text: string }> {
  const doc = await getDocumentProxy(new Uint8Array(pdf))
  const { totalPages, text } = await extractText(doc, { mergePages: true })
  return { pages: totalPages, text }
}

/** pdftoppm from poppler-utils; installed here when missing (root, Debian), else the test fails saying so. */
export function ensurePdftoppm(): void {
  const has = () => {
    try {
      execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  }
  if (has()) return
  try {
    execFileSync(
      'sh',
      ['-c', 'apt-get install -y poppler-utils || (apt-get update && apt-get install -y poppler-utils)'],
      {
        stdio: 'ignore',
        timeout: 300_000,
      },
    )
  } catch {
    // reported below
  }
  if (!has()) throw new Error('pdftoppm (Debian package poppler-utils) is missing and could not be installed')
}

/** Renders every page to `<dir>/<name>-<n>.png`; returns the files. */
export function renderPng(pdf: Uint8Array, dir: string, name: string, dpi = 80): string[] {
  const file = join(dir, `${name}.pdf`)
  writeFileSync(file, pdf)
  execFileSync('pdftoppm', ['-r', String(dpi), '-png', file, join(dir, name)])
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'))
    .sort()
    .map((f) => join(dir, f))
}
