/**
 * Aho-Corasick over UTF-16 code units: one pass over the text finds every occurrence of every
 * phrase, however many phrases there are. Written here because the maintained package we tried
 * (modern-ahocorasick) segments text into grapheme clusters first, which cost ~1 s for 20k
 * non-ASCII characters — too slow for a prompt on the ingest path. ASCII transitions are a dense
 * table with failure links resolved (one array read per character); other code units walk the trie
 * and its failure links. Callers lower-case the text (scanner.ts); whitespace is folded here.
 */
export class PhraseMatcher {
  private readonly next: Array<Map<number, number>> = [new Map()]
  private readonly fail: number[] = [0]
  private readonly out: number[][] = [[]]
  /** state * 128 + code unit → next state, for code units below 128. */
  private readonly ascii: Int32Array

  constructor(readonly phrases: readonly string[]) {
    phrases.forEach((phrase, index) => {
      let state = 0
      for (let i = 0; i < phrase.length; i++) {
        const c = phrase.charCodeAt(i)
        let to = this.next[state]?.get(c)
        if (to === undefined) {
          to = this.next.length
          this.next.push(new Map())
          this.fail.push(0)
          this.out.push([])
          this.next[state]?.set(c, to)
        }
        state = to
      }
      this.out[state]?.push(index)
    })
    // Breadth-first: a state's failure link is the longest proper suffix that is also a trie path.
    const order: number[] = [0]
    for (let head = 0; head < order.length; head++) {
      const state = order[head] ?? 0
      for (const [c, to] of this.next[state] ?? []) {
        order.push(to)
        if (state === 0) continue
        this.fail[to] = this.step(this.fail[state] ?? 0, c)
        this.out[to]?.push(...(this.out[this.fail[to] ?? 0] ?? []))
      }
    }
    this.ascii = new Int32Array(this.next.length * 128)
    // In BFS order, so a failure target's row is complete before it is copied.
    for (const state of order) {
      for (let c = 0; c < 128; c++) {
        const direct = this.next[state]?.get(c)
        this.ascii[state * 128 + c] = direct ?? (state === 0 ? 0 : (this.ascii[(this.fail[state] ?? 0) * 128 + c] ?? 0))
      }
    }
  }

  /** The goto function with failure links, for building and for code units ≥ 128. */
  private step(from: number, c: number): number {
    let state = from
    for (;;) {
      const to = this.next[state]?.get(c)
      if (to !== undefined) return to
      if (state === 0) return 0
      state = this.fail[state] ?? 0
    }
  }

  /**
   * Indexes of the phrases found in `text`, each once, in the order first found; `first` stops at one.
   * Whitespace runs in the text read as one space (phrases are written with single spaces), so
   * "ignore\n  all previous" matches "ignore all previous" without a normalised copy of the text.
   */
  find(text: string, first = false): number[] {
    const found: number[] = []
    const ascii = this.ascii
    let state = 0
    let prevSpace = false
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i)
      if (c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0x2028 || c === 0x2029) {
        if (prevSpace) continue
        prevSpace = true
        c = 32
      } else prevSpace = false
      state = c < 128 ? (ascii[state * 128 + c] ?? 0) : this.step(state, c)
      const hits = this.out[state]
      if (hits !== undefined && hits.length > 0) {
        for (const h of hits) if (!found.includes(h)) found.push(h)
        if (first) break
      }
    }
    return found
  }
}
