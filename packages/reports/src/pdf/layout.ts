import PDFDocument from 'pdfkit'

/** A4 in points, and the margins every page keeps. */
export const PAGE = { width: 595.28, height: 841.89, margin: 48 }
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin
const BOTTOM = PAGE.height - PAGE.margin - 18

export const COLORS = {
  ink: '#1f2933',
  muted: '#616e7c',
  rule: '#cbd2d9',
  band: '#102a43',
  accent: '#2680c2',
  ok: '#2f8132',
  bad: '#c62828',
  warn: '#d9822b',
  zebra: '#f5f7fa',
}

/**
 * The 14 standard PDF fonts cover WinAnsi only: other characters would print as garbage, so they are
 * replaced (ids, names and models are ASCII in practice; the JSON export keeps the exact text).
 */
export const clean = (s: string, max = 200): string => {
  const t = s.replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?')
  return t.length > max ? `${t.slice(0, max - 1)}…`.replace('…', '...') : t
}

/** Dollars: 2 decimals from $1, 4 below, 6 below a cent (a cheap call is fractions of a cent). */
export const usd = (v: number): string => {
  const abs = Math.abs(v)
  const digits = v === 0 || abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6
  return `$${v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`
}
export const int = (v: number): string => Math.round(v).toLocaleString('en-US')

export interface Column {
  header: string
  width: number
  align?: 'left' | 'right'
}

/** A pdfkit document with the few drawing verbs the reports share; collects its bytes. */
export class Layout {
  readonly doc: PDFKit.PDFDocument
  private readonly chunks: Buffer[] = []
  private readonly done: Promise<Uint8Array>

  constructor(info: { title: string; subject: string; createdAt: Date }) {
    this.doc = new PDFDocument({
      size: 'A4',
      margin: PAGE.margin,
      bufferPages: true,
      info: { Title: info.title, Subject: info.subject, Creator: 'Tollgate', CreationDate: info.createdAt },
    })
    this.done = new Promise((resolve, reject) => {
      this.doc.on('data', (c: Buffer) => this.chunks.push(c))
      this.doc.on('end', () => resolve(new Uint8Array(Buffer.concat(this.chunks))))
      this.doc.on('error', reject)
    })
    this.doc.font('Helvetica').fillColor(COLORS.ink)
  }

  get y(): number {
    return this.doc.y
  }

  /** Starts a new page when fewer than `needed` points are left. */
  ensure(needed: number): void {
    if (this.doc.y + needed > BOTTOM) {
      this.doc.addPage()
      this.doc.y = PAGE.margin
    }
  }

  /** The dark band on page 1: title and subtitle on the left, up to three short lines on the right. */
  banner(title: string, subtitle: string, right: string[]): void {
    const d = this.doc
    d.save().rect(0, 0, PAGE.width, 78).fill(COLORS.band).restore()
    d.fillColor('#ffffff').font('Helvetica-Bold').fontSize(18).text(clean(title), PAGE.margin, 22, { lineBreak: false })
    d.font('Helvetica').fontSize(9.5).fillColor('#bcccdc').text(clean(subtitle), PAGE.margin, 47, { lineBreak: false })
    const rightW = 200
    d.fontSize(8)
    right.slice(0, 3).forEach((line, i) => {
      d.text(clean(line), PAGE.width - PAGE.margin - rightW, 24 + i * 12, {
        width: rightW,
        align: 'right',
        lineBreak: false,
      })
    })
    d.fillColor(COLORS.ink)
    d.y = 96
  }

  section(title: string, needed = 60): void {
    this.ensure(needed + 24)
    const d = this.doc
    d.moveDown(0.6)
    const y = d.y
    d.font('Helvetica-Bold').fontSize(11.5).fillColor(COLORS.band).text(clean(title), PAGE.margin, y)
    d.moveTo(PAGE.margin, d.y + 2)
      .lineTo(PAGE.margin + CONTENT_WIDTH, d.y + 2)
      .lineWidth(0.6)
      .strokeColor(COLORS.rule)
      .stroke()
    d.y += 8
    d.font('Helvetica').fontSize(9).fillColor(COLORS.ink)
  }

  /** Label/value pairs in `columns` columns. */
  facts(pairs: [string, string][], columns = 2): void {
    const d = this.doc
    const colWidth = CONTENT_WIDTH / columns
    for (let i = 0; i < pairs.length; i += columns) {
      this.ensure(26)
      const y = d.y
      let bottom = y
      pairs.slice(i, i + columns).forEach(([label, value], j) => {
        const x = PAGE.margin + j * colWidth
        d.font('Helvetica')
          .fontSize(7.5)
          .fillColor(COLORS.muted)
          .text(clean(label).toUpperCase(), x, y, { width: colWidth - 10 })
        d.font('Helvetica')
          .fontSize(9.5)
          .fillColor(COLORS.ink)
          .text(clean(value, 400), x, d.y + 1, { width: colWidth - 10 })
        bottom = Math.max(bottom, d.y)
      })
      d.y = bottom + 5
    }
  }

  /** Big figures in boxes side by side (the first thing a reader sees). */
  tiles(items: { label: string; value: string; color?: string }[]): void {
    const d = this.doc
    this.ensure(58)
    const gap = 8
    const w = (CONTENT_WIDTH - gap * (items.length - 1)) / items.length
    const y = d.y
    items.forEach((item, i) => {
      const x = PAGE.margin + i * (w + gap)
      d.save().roundedRect(x, y, w, 50, 4).fill(COLORS.zebra).restore()
      d.font('Helvetica')
        .fontSize(7.5)
        .fillColor(COLORS.muted)
        .text(clean(item.label).toUpperCase(), x + 8, y + 8, { width: w - 16, lineBreak: false })
      d.font('Helvetica-Bold')
        .fontSize(15)
        .fillColor(item.color ?? COLORS.ink)
        .text(clean(item.value), x + 8, y + 24, { width: w - 16, lineBreak: false })
    })
    d.fillColor(COLORS.ink).font('Helvetica')
    d.y = y + 60
  }

  table(
    columns: Column[],
    rows: string[][],
    options: { fontSize?: number; colors?: (string | undefined)[][] } = {},
  ): void {
    const d = this.doc
    const size = options.fontSize ?? 8.5
    const scale = CONTENT_WIDTH / columns.reduce((s, c) => s + c.width, 0)
    const widths = columns.map((c) => c.width * scale)
    const header = (): void => {
      this.ensure(30)
      const y = d.y
      d.font('Helvetica-Bold').fontSize(size).fillColor(COLORS.muted)
      let x = PAGE.margin
      columns.forEach((c, i) => {
        d.text(clean(c.header), x + 3, y, { width: (widths[i] ?? 0) - 6, align: c.align ?? 'left', lineBreak: false })
        x += widths[i] ?? 0
      })
      d.y = y + size + 5
      d.moveTo(PAGE.margin, d.y - 2)
        .lineTo(PAGE.margin + CONTENT_WIDTH, d.y - 2)
        .lineWidth(0.5)
        .strokeColor(COLORS.rule)
        .stroke()
      d.font('Helvetica').fillColor(COLORS.ink)
    }
    header()
    rows.forEach((row, r) => {
      const height = Math.max(
        ...row.map((cell, i) => d.fontSize(size).heightOfString(clean(cell, 300), { width: (widths[i] ?? 0) - 6 })),
      )
      if (d.y + height + 4 > BOTTOM) {
        d.addPage()
        d.y = PAGE.margin
        header()
      }
      const y = d.y
      if (r % 2 === 1)
        d.save()
          .rect(PAGE.margin, y - 1.5, CONTENT_WIDTH, height + 3)
          .fill(COLORS.zebra)
          .restore()
      let x = PAGE.margin
      row.forEach((cell, i) => {
        d.fillColor(options.colors?.[r]?.[i] ?? COLORS.ink)
        d.text(clean(cell, 300), x + 3, y, { width: (widths[i] ?? 0) - 6, align: columns[i]?.align ?? 'left' })
        x += widths[i] ?? 0
      })
      d.fillColor(COLORS.ink)
      d.y = y + height + 3
    })
  }

  note(text: string): void {
    this.ensure(20)
    this.doc
      .font('Helvetica-Oblique')
      .fontSize(8)
      .fillColor(COLORS.muted)
      .text(clean(text, 600), PAGE.margin, this.doc.y, { width: CONTENT_WIDTH })
    this.doc.font('Helvetica').fillColor(COLORS.ink)
  }

  /** The closing block every signed report ends with: what identifies it and how to verify it. */
  integrity(block: {
    reportId: string
    generatedAt: Date
    dataSha256: string
    keyId: string
    verifyHint: string
  }): void {
    // A framed block with its own title (no section rule): it fits under a full page more often.
    this.ensure(92)
    const d = this.doc
    d.y += 10
    const y = d.y
    d.font('Helvetica-Bold')
      .fontSize(9.5)
      .fillColor(COLORS.band)
      .text('Report integrity', PAGE.margin + 10, y + 7)
    d.y = y + 22
    const rows: [string, string][] = [
      ['Report id', block.reportId],
      ['Generated at', block.generatedAt.toISOString()],
      ['SHA-256 of the report data', block.dataSha256],
      ['Signing key id', block.keyId],
    ]
    for (const [label, value] of rows) {
      const ly = d.y
      d.font('Helvetica')
        .fontSize(8)
        .fillColor(COLORS.muted)
        .text(label, PAGE.margin + 10, ly, { width: 130 })
      d.font('Courier')
        .fontSize(8)
        .fillColor(COLORS.ink)
        .text(value, PAGE.margin + 140, ly, { width: CONTENT_WIDTH - 150 })
      d.y = Math.max(d.y, ly + 10) + 1
    }
    d.font('Helvetica-Oblique')
      .fontSize(7.5)
      .fillColor(COLORS.muted)
      .text(clean(block.verifyHint, 400), PAGE.margin + 10, d.y + 2, { width: CONTENT_WIDTH - 20 })
    d.font('Helvetica').fillColor(COLORS.ink)
    // The frame is drawn once its content's height is known.
    d.save()
      .roundedRect(PAGE.margin, y, CONTENT_WIDTH, d.y + 8 - y, 4)
      .lineWidth(0.8)
      .strokeColor(COLORS.accent)
      .stroke()
      .restore()
    d.y += 12
  }

  /** Page numbers and the report id in every footer, then the bytes. */
  async finish(reportId: string): Promise<Uint8Array> {
    const d = this.doc
    const range = d.bufferedPageRange()
    for (let i = range.start; i < range.start + range.count; i++) {
      d.switchToPage(i)
      // Text below the bottom margin would make pdfkit start a new page.
      d.page.margins.bottom = 0
      const y = PAGE.height - PAGE.margin + 14
      d.font('Helvetica').fontSize(7.5).fillColor(COLORS.muted)
      d.text(`Report ${reportId}`, PAGE.margin, y, { lineBreak: false, height: 10 })
      d.text(`Page ${i + 1} of ${range.count}`, PAGE.margin, y, {
        width: CONTENT_WIDTH,
        align: 'right',
        lineBreak: false,
        height: 10,
      })
    }
    d.end()
    return this.done
  }
}
