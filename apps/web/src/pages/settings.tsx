import { useState } from 'preact/hooks'
import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query'
import { api, unwrap, type Schemas } from '../api/client.js'
import { Card, CopyButton, ErrorBox, Loading } from '../components/feedback.js'
import { DataTable } from '../components/table.js'
import { when } from '../format.js'

/** Projects (the instance admin creates them) and each project's API keys; a new key is shown once. */
export function Settings({ session }: { session: Schemas['Session'] }) {
  const client = useQueryClient()
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => unwrap(api.GET('/api/projects')) })
  const [picked, setPicked] = useState<string | null>(null)
  const project = picked ?? session.project_id
  const createProject = useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/projects', { body: { name } })),
    onSuccess: (p) => {
      setPicked(p.id)
      return client.invalidateQueries({ queryKey: ['projects'] })
    },
  })

  return (
    <>
      <h1>Settings</h1>
      <Card title="Session" wide>
        <p>
          {session.local_mode
            ? 'Local mode: no credentials are configured, so every request acts as the default project’s admin. Set API_KEY or JWT settings to require a login.'
            : `Signed in to project ${session.project_id} as ${session.role} (${session.via}).`}
        </p>
      </Card>
      <Card title="Projects" wide>
        {projects.error ? <ErrorBox error={projects.error} /> : null}
        {!projects.data ? (
          projects.error ? null : (
            <Loading />
          )
        ) : (
          <DataTable
            label="Projects"
            rows={projects.data.projects}
            rowKey={(p) => p.id}
            onOpen={(p) => setPicked(p.id)}
            columns={[
              { label: 'Name', cell: (p) => (p.id === project ? <strong>{p.name}</strong> : p.name) },
              { label: 'Id', cell: (p) => <code>{p.id}</code> },
              { label: 'Created', cell: (p) => when(p.created_at) },
            ]}
          />
        )}
        {session.instance_admin ? (
          <form
            class="inline-form"
            aria-label="New project"
            onSubmit={(e) => {
              e.preventDefault()
              const form = e.currentTarget
              const name = String(new FormData(form).get('name') ?? '').trim()
              if (name) createProject.mutate(name, { onSuccess: () => form.reset() })
            }}
          >
            <input name="name" placeholder="New project name" aria-label="New project name" required />
            <button type="submit">Create project</button>
          </form>
        ) : null}
        {createProject.error ? <ErrorBox error={createProject.error} /> : null}
      </Card>
      <Keys project={project} admin={session.role === 'admin'} />
    </>
  )
}

function Keys({ project, admin }: { project: string; admin: boolean }) {
  const client = useQueryClient()
  const keys = useQuery({
    queryKey: ['keys', project],
    queryFn: () => unwrap(api.GET('/api/projects/{id}/keys', { params: { path: { id: project } } })),
  })
  const [created, setCreated] = useState<Schemas['CreatedKey'] | null>(null)
  const refresh = () => client.invalidateQueries({ queryKey: ['keys', project] })
  const create = useMutation({
    mutationFn: (scopes: Array<'ingest' | 'read'>) =>
      unwrap(api.POST('/api/projects/{id}/keys', { params: { path: { id: project } }, body: { scopes } })),
    onSuccess: (k) => {
      setCreated(k)
      return refresh()
    },
  })
  const revoke = useMutation({
    mutationFn: (keyId: string) =>
      unwrap(api.DELETE('/api/projects/{id}/keys/{keyId}', { params: { path: { id: project, keyId } } })),
    onSuccess: refresh,
  })
  return (
    <Card title={`API keys of ${project}`} wide>
      {created ? (
        <div class="notice" role="status">
          <p>
            <strong>New key — copy it now, it is not shown again:</strong>
          </p>
          <pre class="snippet">{created.key}</pre>
          <CopyButton text={created.key} label="Copy key" />{' '}
          <button type="button" class="secondary small" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      {keys.error ? <ErrorBox error={keys.error} /> : null}
      {revoke.error ? <ErrorBox error={revoke.error} /> : null}
      {create.error ? <ErrorBox error={create.error} /> : null}
      {keys.data ? (
        <DataTable
          label="API keys"
          rows={keys.data.keys}
          rowKey={(k) => k.id}
          empty="No keys."
          columns={[
            { label: 'Prefix', cell: (k) => <code>{k.prefix}…</code> },
            { label: 'Scopes', cell: (k) => k.scopes.join(', ') },
            { label: 'Created', cell: (k) => when(k.created_at) },
            { label: 'Last used', cell: (k) => (k.last_used_at ? when(k.last_used_at) : 'never') },
            {
              label: 'Status',
              cell: (k) =>
                k.revoked_at ? (
                  <span class="muted">revoked {when(k.revoked_at)}</span>
                ) : admin ? (
                  <button
                    type="button"
                    class="danger small"
                    onClick={() => confirm('Revoke this key?') && revoke.mutate(k.id)}
                  >
                    Revoke
                  </button>
                ) : (
                  'active'
                ),
            },
          ]}
        />
      ) : keys.error ? null : (
        <Loading />
      )}
      {admin ? (
        <div class="inline-form">
          <button type="button" onClick={() => create.mutate(['ingest'])}>
            New ingest key
          </button>
          <button type="button" class="secondary" onClick={() => create.mutate(['read'])}>
            New read key
          </button>
          <button type="button" class="secondary" onClick={() => create.mutate(['ingest', 'read'])}>
            New ingest + read key
          </button>
        </div>
      ) : null}
    </Card>
  )
}
