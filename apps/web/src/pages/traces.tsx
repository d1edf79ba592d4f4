import { useQuery } from '@tanstack/preact-query'
import { api, unwrap } from '../api/client.js'
import { ErrorBox, Loading } from '../components/feedback.js'
import { DataTable } from '../components/table.js'
import { count, ms, money, when } from '../format.js'
import { navigate, useLocation } from '../router.js'

const TEXT_FILTERS = [
  ['search', 'Search words'],
  ['model', 'Model'],
  ['agent_id', 'Agent id'],
  ['user_id', 'User id'],
  ['session_id', 'Session id'],
  ['min_cost', 'Min cost (USD)'],
] as const

/** The query of `/api/traces` is the page's URL query: filters, sort and cursor can be linked and reloaded. */
export function Traces() {
  const { search } = useLocation()
  const params = Object.fromEntries(search.entries())
  const query = { ...params, limit: 50 } as Record<string, string | number>
  const list = useQuery({
    queryKey: ['traces', search.toString()],
    queryFn: () => unwrap(api.GET('/api/traces', { params: { query: query as never } })),
    placeholderData: (prev) => prev,
  })

  const tags = [...search.entries()].filter(([k]) => k.startsWith('tag.')).map(([k, v]) => `${k.slice(4)}=${v}`)

  const set = (changes: Record<string, string>, tagFilters?: string) => {
    const next = new URLSearchParams(search)
    // `tag.<key>=<value>` parameters, one per tag, as the API takes them.
    if (tagFilters !== undefined) {
      for (const k of [...next.keys()]) if (k.startsWith('tag.')) next.delete(k)
      for (const pair of tagFilters.split(',')) {
        const [k = '', ...rest] = pair.split('=')
        if (k.trim() && rest.length > 0) next.set(`tag.${k.trim()}`, rest.join('=').trim())
      }
    }
    for (const [k, v] of Object.entries(changes)) {
      if (v === '') next.delete(k)
      else next.set(k, v)
    }
    if (!('cursor' in changes)) next.delete('cursor')
    const qs = next.toString()
    navigate(qs ? `/traces?${qs}` : '/traces')
  }

  const submit = (e: Event) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    const changes: Record<string, string> = {}
    for (const [name] of TEXT_FILTERS) changes[name] = String(form.get(name) ?? '').trim()
    for (const name of ['from', 'to']) {
      const v = String(form.get(name) ?? '')
      changes[name] = v ? new Date(v).toISOString() : ''
    }
    set(changes, String(form.get('tags') ?? ''))
  }
  const local = (iso: string | undefined) => {
    if (!iso) return ''
    const d = new Date(iso)
    return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
  }

  return (
    <>
      <h1>Traces</h1>
      <form class="filters" onSubmit={submit} aria-label="Trace filters" key={search.toString()}>
        {TEXT_FILTERS.map(([name, label]) => (
          <label key={name}>
            <span>{label}</span>
            <input
              name={name}
              defaultValue={params[name] ?? ''}
              inputMode={name === 'min_cost' ? 'decimal' : undefined}
            />
          </label>
        ))}
        <label>
          <span>Tags (key=value, …)</span>
          <input name="tags" defaultValue={tags.join(', ')} placeholder="feature=support" />
        </label>
        <label>
          <span>From</span>
          <input type="datetime-local" name="from" defaultValue={local(params.from)} />
        </label>
        <label>
          <span>To</span>
          <input type="datetime-local" name="to" defaultValue={local(params.to)} />
        </label>
        <label>
          <span>Status</span>
          <select name="status" value={params.status ?? ''} onChange={(e) => set({ status: e.currentTarget.value })}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
            <option value="unset">unset</option>
          </select>
        </label>
        <label>
          <span>Sort</span>
          <select name="sort" value={params.sort ?? 'time'} onChange={(e) => set({ sort: e.currentTarget.value })}>
            <option value="time">time</option>
            <option value="cost">cost</option>
            <option value="duration">duration</option>
            <option value="tokens">tokens</option>
          </select>
        </label>
        <label>
          <span>Order</span>
          <select name="order" value={params.order ?? 'desc'} onChange={(e) => set({ order: e.currentTarget.value })}>
            <option value="desc">desc</option>
            <option value="asc">asc</option>
          </select>
        </label>
        <div class="actions">
          <button type="submit">Apply</button>
          <button type="button" class="secondary" onClick={() => navigate('/traces')}>
            Clear
          </button>
        </div>
      </form>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.data ? (
        list.error ? null : (
          <Loading />
        )
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {list.data.total < 0 ? '' : `${count(list.data.total)}${list.data.total_exact ? '' : ' (approx.)'} traces`}
            {list.isFetching ? ' · updating…' : ''}
          </p>
          <DataTable
            label="Traces"
            rows={list.data.traces}
            rowKey={(t) => t.trace_id}
            onOpen={(t) => navigate(`/traces/${t.trace_id}`)}
            empty="No trace matches these filters."
            columns={[
              { label: 'Started', cell: (t) => when(t.start_time) },
              { label: 'Name', cell: (t) => <span class="mono-ish">{t.name}</span> },
              { label: 'Status', cell: (t) => <span class={`badge ${t.status}`}>{t.status}</span> },
              { label: 'Models', cell: (t) => t.models.join(', ') },
              { label: 'Agents', cell: (t) => t.agent_ids.join(', ') },
              { label: 'Spans', cell: (t) => count(t.span_count), numeric: true },
              { label: 'Tokens', cell: (t) => count(t.input_tokens + t.output_tokens), numeric: true },
              { label: 'Duration', cell: (t) => ms(t.duration_ms), numeric: true },
              { label: 'Cost', cell: (t) => money(t.total_cost_usd), numeric: true },
            ]}
          />
          <div class="pager">
            {params.cursor ? (
              <button type="button" class="secondary" onClick={() => set({ cursor: '' })}>
                First page
              </button>
            ) : null}
            {list.data.next_cursor ? (
              <button type="button" onClick={() => set({ cursor: list.data.next_cursor ?? '' })}>
                Next page
              </button>
            ) : null}
          </div>
        </>
      )}
    </>
  )
}
