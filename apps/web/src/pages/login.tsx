import { useState } from 'preact/hooks'
import { useQueryClient } from '@tanstack/preact-query'
import { api, unwrap } from '../api/client.js'
import { ErrorBox } from '../components/feedback.js'
import { navigate } from '../router.js'

/**
 * Sign in with an API key or a JWT. It is sent once, in a header, to POST /api/session, which answers with
 * an HttpOnly cookie: the page never stores the credential.
 */
export function Login() {
  const client = useQueryClient()
  const [credential, setCredential] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await unwrap(api.POST('/api/session', { headers: { 'X-API-Key': credential.trim() } }))
      setCredential('')
      if (location.pathname === '/login') navigate('/', { replace: true })
      await client.invalidateQueries()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="login">
      <form class="card" onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <h1>Tollgate</h1>
        <label for="credential">API key or JWT</label>
        <input
          id="credential"
          type="password"
          autocomplete="off"
          required
          value={credential}
          onInput={(e) => setCredential(e.currentTarget.value)}
          placeholder="tg_sk_… or eyJ…"
        />
        <button type="submit" disabled={busy || credential.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error ? <ErrorBox error={error} /> : null}
        <p class="muted small-text">
          The credential is exchanged for an HttpOnly session cookie; it is not kept in the page.
        </p>
      </form>
    </main>
  )
}
