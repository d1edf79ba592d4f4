import { useState } from 'preact/hooks'
import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query'
import { api, unwrap, type Schemas } from '../api/client.js'
import { Card, ErrorBox, Loading } from '../components/feedback.js'
import { DataTable } from '../components/table.js'
import { seconds, when } from '../format.js'

type Rule = Schemas['AlertRule']
const CONDITIONS: Rule['condition'][] = [
  'cost_per_hour',
  'cost_per_day',
  'error_rate',
  'latency_p95_ms',
  'calls_per_minute',
  'tokens_per_hour',
  'pii_detected_count',
  'injection_attempt_count',
]
const ACTIONS: Rule['action_type'][] = ['log', 'webhook', 'slack', 'email']

/** Alert rules (create, enable/disable, delete; admin) and what fired. */
export function Alerts({ session }: { session: Schemas['Session'] }) {
  const client = useQueryClient()
  const rules = useQuery({ queryKey: ['alerts'], queryFn: () => unwrap(api.GET('/api/alerts')) })
  const history = useQuery({
    queryKey: ['alerts', 'history'],
    queryFn: () => unwrap(api.GET('/api/alerts/history', { params: { query: { limit: 50 } } })),
  })
  const refresh = () => client.invalidateQueries({ queryKey: ['alerts'] })
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/alerts/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  })
  const toggle = useMutation({
    mutationFn: (r: Rule) =>
      unwrap(
        api.PATCH('/api/alerts/{id}', {
          params: { path: { id: r.id } },
          body: { enabled: !r.enabled },
        }),
      ),
    onSuccess: refresh,
  })
  const admin = session.role === 'admin'

  return (
    <>
      <h1>Alerts</h1>
      {admin ? <NewRule onCreated={refresh} /> : <p class="muted">Creating rules needs an admin credential.</p>}
      {remove.error ? <ErrorBox error={remove.error} /> : null}
      {toggle.error ? <ErrorBox error={toggle.error} /> : null}
      <Card title="Rules" wide>
        {rules.error ? <ErrorBox error={rules.error} /> : null}
        {!rules.data ? (
          rules.error ? null : (
            <Loading />
          )
        ) : (
          <DataTable
            label="Alert rules"
            rows={rules.data.rules}
            rowKey={(r) => r.id}
            empty="No rules yet."
            columns={[
              { label: 'Name', cell: (r) => r.name },
              { label: 'Condition', cell: (r) => `${r.condition} > ${r.threshold}` },
              { label: 'Window', cell: (r) => seconds(r.window_s) },
              { label: 'Filters', cell: (r) => [r.agent_id, r.model, r.tag].filter(Boolean).join(', ') || '—' },
              { label: 'Action', cell: (r) => (r.target ? `${r.action_type} → ${r.target}` : r.action_type) },
              {
                label: 'State',
                cell: (r) => <span class={`badge ${r.state === 'firing' ? 'error' : 'ok'}`}>{r.state}</span>,
              },
              { label: 'Last fired', cell: (r) => (r.last_fired_at ? when(r.last_fired_at) : '—') },
              {
                label: 'Actions',
                cell: (r) =>
                  admin ? (
                    <span class="row-actions">
                      <button type="button" class="secondary small" onClick={() => toggle.mutate(r)}>
                        {r.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button
                        type="button"
                        class="danger small"
                        aria-label={`Delete rule ${r.name}`}
                        onClick={() => {
                          if (confirm(`Delete the rule "${r.name}"?`)) remove.mutate(r.id)
                        }}
                      >
                        Delete
                      </button>
                    </span>
                  ) : r.enabled ? (
                    'enabled'
                  ) : (
                    'disabled'
                  ),
              },
            ]}
          />
        )}
      </Card>
      <Card title="History" wide>
        {history.error ? <ErrorBox error={history.error} /> : null}
        {history.data ? (
          <DataTable
            label="Alert history"
            rows={history.data.events}
            rowKey={(e) => String(e.id)}
            empty="Nothing has fired."
            columns={[
              { label: 'When', cell: (e) => when(e.created_at) },
              { label: 'Kind', cell: (e) => e.kind },
              { label: 'Message', cell: (e) => e.message },
              {
                label: 'Value',
                cell: (e) => (e.value === null ? '—' : `${e.value} / ${e.threshold ?? '—'}`),
                numeric: true,
              },
              {
                label: 'Notification',
                cell: (e) => (e.notification_error ? `${e.notification}: ${e.notification_error}` : e.notification),
              },
            ]}
          />
        ) : null}
      </Card>
    </>
  )
}

function NewRule({ onCreated }: { onCreated: () => unknown }) {
  const [action, setAction] = useState<Rule['action_type']>('log')
  const create = useMutation({
    mutationFn: (body: Schemas['CreateAlertBody']) => unwrap(api.POST('/api/alerts', { body })),
    onSuccess: onCreated,
  })
  const submit = (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const f = new FormData(form)
    const opt = (name: string) => String(f.get(name) ?? '').trim() || null
    create.mutate(
      {
        name: String(f.get('name')).trim(),
        condition: String(f.get('condition')) as Rule['condition'],
        threshold: Number(f.get('threshold')),
        window_s: opt('window_s') === null ? null : Number(f.get('window_s')),
        agent_id: opt('agent_id'),
        model: opt('model'),
        tag: opt('tag'),
        action_type: action,
        target: opt('target'),
        cooldown_s: Number(f.get('cooldown_s') || 300),
        enabled: true,
      },
      { onSuccess: () => form.reset() },
    )
  }
  return (
    <Card title="New rule" wide>
      <form class="filters" onSubmit={submit} aria-label="New alert rule">
        <label>
          <span>Name</span>
          <input name="name" required maxLength={200} />
        </label>
        <label>
          <span>Condition</span>
          <select name="condition">
            {CONDITIONS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Threshold</span>
          <input name="threshold" required inputMode="decimal" pattern="[0-9]*[.]?[0-9]+" />
        </label>
        <label>
          <span>Window (s, optional)</span>
          <input name="window_s" inputMode="numeric" pattern="[0-9]*" />
        </label>
        <label>
          <span>Agent id</span>
          <input name="agent_id" />
        </label>
        <label>
          <span>Model</span>
          <input name="model" />
        </label>
        <label>
          <span>Tag (key=value)</span>
          <input name="tag" />
        </label>
        <label>
          <span>Action</span>
          <select
            name="action_type"
            value={action}
            onChange={(e) => setAction(e.currentTarget.value as Rule['action_type'])}
          >
            {ACTIONS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        {action !== 'log' ? (
          <label>
            <span>{action === 'email' ? 'Email' : 'URL'}</span>
            <input name="target" required />
          </label>
        ) : null}
        <label>
          <span>Cooldown (s)</span>
          <input name="cooldown_s" inputMode="numeric" pattern="[0-9]*" placeholder="300" />
        </label>
        <div class="actions">
          <button type="submit" disabled={create.isPending}>
            Create rule
          </button>
        </div>
      </form>
      {create.error ? <ErrorBox error={create.error} /> : null}
    </Card>
  )
}
