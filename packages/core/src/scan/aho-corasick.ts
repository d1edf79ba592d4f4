/**
 * Aho-Corasick over UTF-16 code units: one pass over the text finds every occurrence of every
 * phrase, however many phrases there are. Written here because the maintained package we tried
 * (modern-ahocorasick) segments text into grapheme clusters first, which cost ~1 s for 20k
 * non-ASCII characters — too slow for a prompt on the ingest path. Callers normalise case and
 * whitespace themselves (scanner.ts).
 */
export class PhraseMatcher {
  // Per state: transitions by code unit, failure link, and the phrases ending here (by index).
  private readonly next: Array<Map<number, number>> = [new Map()]
  private readonly fail: number[] = [0]
  private readonly out: number[][] = [[]]

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
    const queue: number[] = [...(this.next[0]?.values() ?? [])]
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] ?? 0
      for (const [c, to] of this.next[state] ?? []) {
        queue.push(to)
        let f = this.fail[state] ?? 0
        while (f !== 0 && !this.next[f]?.has(c)) f = this.fail[f] ?? 0
        const target = this.next[f]?.get(c)
        this.fail[to] = target !== undefined && target !== to ? target : 0
        this.out[to]?.push(...(this.out[this.fail[to] ?? 0] ?? []))
      }
    }
  }

  /** Indexes of the phrases found in `text`, each once, in the order first found; `first` stops at one. */
  find(text: string, first = false): number[] {
    const found = new Set<number>()
    let state = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      while (state !== 0 && !this.next[state]?.has(c)) state = this.fail[state] ?? 0
      state = this.next[state]?.get(c) ?? 0
      const hits = this.out[state]
      if (hits && hits.length > 0) {
        for (const h of hits) found.add(h)
        if (first) break
      }
    }
    return [...found]
  }
}
