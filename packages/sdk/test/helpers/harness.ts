import { join } from 'node:path'
import { TollgateClient } from '../../src/client.js'
import type { InitOptions } from '../../src/config.js'
import type { Span } from '../../src/types.js'
import type { FakeIngest } from './fake-ingest.js'
import { startFakeIngest } from './fake-ingest.js'
import type { FakeProvider } from './fake-provider.js'
import { startFakeProvider } from './fake-provider.js'
import { tempDir } from './tmp.js'

/** A fake provider, a fake Tollgate and an instrumented client wired together. */
export interface Harness {
  provider: FakeProvider
  ingest: FakeIngest
  client: TollgateClient
  /** Flushes and returns every span delivered so far. */
  spans(): Promise<Span[]>
  /** Between tests: deliver what is pending, then forget it and what the provider received. */
  reset(): Promise<void>
  /** Waits until `n` spans were delivered (calls complete asynchronously after the body ends). */
  waitSpans(n: number): Promise<Span[]>
  close(): Promise<void>
}

export async function startHarness(opts: InitOptions = {}, instrument = true): Promise<Harness> {
  const provider = await startFakeProvider()
  const ingest = await startFakeIngest()
  const tmp = tempDir()
  const client = new TollgateClient(
    {
      endpoint: ingest.url,
      spoolPath: join(tmp.dir, 'spool.sqlite'),
      flushIntervalMs: 3_600_000,
      policyPollIntervalMs: 0,
      ...opts,
    },
    { env: {} },
  ).start()
  if (instrument) client.instrument()
  const spans = async () => {
    await client.flush()
    return ingest.accepted()
  }
  return {
    provider,
    ingest,
    client,
    spans,
    async reset() {
      await spans()
      ingest.accepted().length = 0
      provider.received.length = 0
      provider.eventDelayMs = 0
    },
    async waitSpans(n) {
      const until = Date.now() + 5000
      for (;;) {
        const all = await spans()
        if (all.length >= n) return all
        if (Date.now() > until) throw new Error(`expected ${n} spans, got ${all.length}`)
        await new Promise((r) => setTimeout(r, 15))
      }
    },
    async close() {
      await client.shutdown(200)
      await provider.close()
      await ingest.close()
      tmp.cleanup()
    },
  }
}
