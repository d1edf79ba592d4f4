import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query'
import { api, unwrap, type Schemas } from '../api/client.js'
import { Card, ErrorBox, Loading } from '../components/feedback.js'
import { DataTable } from '../components/table.js'
import { count, money, when } from '../format.js'

type Budget = Schemas['Budget']
const SCOPES: Budget['scope'][] = ['global', 'agent', 'tenant', 'customer', 'feature', 'tag']
// The first option is the default (what a form reset returns to).
const WINDOWS: Budget['window'][] = ['month', 'day', 'hour', 'rolling_24h', 'rolling_1h']

/** Budgets with the live spend of their current window (from /api/policy) and the SDKs' breakers. */
export function Budgets({ session }: { session: Schemas['Session'] }) {
  const client = useQueryClient()
  const budgets = useQuery({ queryKey: ['budgets'], queryFn: () => unwrap(api.GET('/api/budgets')) })
  const policy = useQuery({
    queryKey: ['budgets', 'policy'],
    queryFn: () => unwrap(api.GET('/api/policy')),
    refetchInterval: 15_000,
  })
  const breakers = useQuery({
    queryKey: ['budgets', 'breakers'],
    queryFn: () => unwrap(api.GET('/api/circuit-breaker/status')),
  })
  const refresh = () => client.invalidateQueries({ queryKey: ['budgets'] })
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/budgets/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  })
  const toggle = useMutation({
    mutationFn: (b: Budget) =>
      unwrap(api.PATCH('/api/budgets/{id}', { params: { path: { id: b.id } }, body: { enabled: !b.enabled } })),
    onSuccess: refresh,
  })
  const create = useMutation({
    mutationFn: (body: Schemas['CreateBudgetBody']) => unwrap(api.POST('/api/budgets', { body })),
    onSuccess: refresh,
  })
  const spend = new Map((policy.data?.budgets ?? []).map((b) => [b.id, b]))
  const admin = session.role === 'admin'

  const submit = (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const f = new FormData(form)
    const opt = (name: string) => String(f.get(name) ?? '').trim() || null
    const scope = String(f.get('scope')) as Budget['scope']
    create.mutate(
      {
        name: String(f.get('name')).trim(),
        scope,
        scope_value: scope === 'global' ? null : opt('scope_value'),
        tag_key: scope === 'tag' ? opt('tag_key') : null,
        limit_usd: opt('limit_usd') === null ? null : Number(f.get('limit_usd')),
        limit_tokens: opt('limit_tokens') === null ? null : Number(f.get('limit_tokens')),
        window: String(f.get('window')) as Budget['window'],
        thresholds: [{ percent: 80, action: 'alert' }],
        limit_action: String(f.get('limit_action')) as Budget['limit_action'],
        enabled: true,
      },
      { onSuccess: () => form.reset() },
    )
  }

  return (
    <>
      <h1>Budgets</h1>
      {admin ? (
        <Card title="New budget" wide>
          <form class="filters" onSubmit={submit} aria-label="New budget">
            <label>
              <span>Name</span>
              <input name="name" required />
            </label>
            <label>
              <span>Scope</span>
              <select name="scope">
                {SCOPES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <label>
              <span>Scope value</span>
              <input name="scope_value" placeholder="agent id, tenant…" />
            </label>
            <label>
              <span>Tag key (scope tag)</span>
              <input name="tag_key" />
            </label>
            <label>
              <span>Limit (USD)</span>
              <input name="limit_usd" inputMode="decimal" pattern="[0-9]*[.]?[0-9]+" />
            </label>
            <label>
              <span>Limit (tokens)</span>
              <input name="limit_tokens" inputMode="numeric" pattern="[0-9]*" />
            </label>
            <label>
              <span>Window</span>
              <select name="window">
                {WINDOWS.map((w) => (
                  <option key={w}>{w}</option>
                ))}
              </select>
            </label>
            <label>
              <span>At 100 %</span>
              <select name="limit_action">
                <option>block</option>
                <option>alert</option>
              </select>
            </label>
            <div class="actions">
              <button type="submit" disabled={create.isPending}>
                Create budget
              </button>
            </div>
          </form>
          {create.error ? <ErrorBox error={create.error} /> : null}
        </Card>
      ) : null}
      {remove.error ? <ErrorBox error={remove.error} /> : null}
      {toggle.error ? <ErrorBox error={toggle.error} /> : null}
      <Card title="Budgets and spend" wide>
        {budgets.error ? <ErrorBox error={budgets.error} /> : null}
        {policy.error ? <ErrorBox error={policy.error} /> : null}
        {!budgets.data ? (
          budgets.error ? null : (
            <Loading />
          )
        ) : (
          <DataTable
            label="Budgets"
            rows={budgets.data.budgets}
            rowKey={(b) => b.id}
            empty="No budgets yet."
            columns={[
              { label: 'Name', cell: (b) => b.name },
              { label: 'Scope', cell: (b) => [b.scope, b.tag_key, b.scope_value].filter(Boolean).join(' · ') },
              { label: 'Window', cell: (b) => b.window },
              { label: 'Spend vs limit', cell: (b) => <SpendBar budget={b} live={spend.get(b.id)} /> },
              { label: 'At limit', cell: (b) => (b.enabled ? b.limit_action : 'disabled') },
              {
                label: 'Actions',
                cell: (b) =>
                  admin ? (
                    <span class="row-actions">
                      <button type="button" class="secondary small" onClick={() => toggle.mutate(b)}>
                        {b.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button
                        type="button"
                        class="danger small"
                        aria-label={`Delete budget ${b.name}`}
                        onClick={() => {
                          if (confirm(`Delete the budget "${b.name}"?`)) remove.mutate(b.id)
                        }}
                      >
                        Delete
                      </button>
                    </span>
                  ) : null,
              },
            ]}
          />
        )}
      </Card>
      <Card title="Circuit breakers (reported by SDKs)" wide>
        {breakers.error ? <ErrorBox error={breakers.error} /> : null}
        {breakers.data ? (
          <>
            <p class={breakers.data.open > 0 ? 'warn-text' : 'muted'}>{count(breakers.data.open)} open</p>
            <DataTable
              label="Circuit breakers"
              rows={breakers.data.breakers}
              rowKey={(b) => `${b.scope}/${b.scope_id}/${b.process_id}`}
              empty="No SDK has reported a breaker."
              columns={[
                { label: 'Scope', cell: (b) => `${b.scope}:${b.scope_id}` },
                { label: 'Process', cell: (b) => b.name ?? b.process_id },
                {
                  label: 'State',
                  cell: (b) => <span class={`badge ${b.state === 'CLOSED' ? 'ok' : 'error'}`}>{b.state}</span>,
                },
                { label: 'Last event', cell: (b) => `${b.event}${b.reason ? `: ${b.reason}` : ''}` },
                { label: 'Reported', cell: (b) => when(b.reported_at) },
              ]}
            />
          </>
        ) : null}
      </Card>
    </>
  )
}

function SpendBar({ budget, live }: { budget: Budget; live: Schemas['Policy']['budgets'][number] | undefined }) {
  if (!live) return <span class="muted">{budget.enabled ? '…' : '—'}</span>
  const usd = budget.limit_usd !== null
  const spent = usd ? live.spent_usd : live.spent_tokens
  const limit = (usd ? budget.limit_usd : budget.limit_tokens) ?? 0
  const ratio = limit > 0 ? spent / limit : 0
  const fmt = usd ? money : count
  return (
    <span class="spend" aria-label={`spent ${fmt(spent)} of ${fmt(limit)}`}>
      <span class="meter">
        <span
          class={ratio >= 1 ? 'fill over' : ratio >= 0.8 ? 'fill near' : 'fill'}
          style={{ width: `${Math.min(100, ratio * 100)}%` }}
        />
      </span>
      <span class="spend-text">
        {fmt(spent)} / {fmt(limit)} ({Math.round(ratio * 100)} %)
      </span>
    </span>
  )
}
