import { render } from 'preact'
import { QueryCache, QueryClient, QueryClientProvider, useQuery, useQueryClient } from '@tanstack/preact-query'
import { api, ApiError, unwrap, type Schemas } from './api/client.js'
import { ErrorBox, Loading } from './components/feedback.js'
import { Link, navigate, useLocation } from './router.js'
import { Login } from './pages/login.js'
import { Overview } from './pages/overview.js'
import { Traces } from './pages/traces.js'
import { Trace } from './pages/trace.js'
import { Cost } from './pages/cost.js'
import { Alerts } from './pages/alerts.js'
import { Budgets } from './pages/budgets.js'
import { Settings } from './pages/settings.js'
import './styles.css'

const queryClient: QueryClient = new QueryClient({
  // A session that ends under a page (cookie expired, key revoked) brings the login back.
  queryCache: new QueryCache({
    onError: (error, query) => {
      if (error instanceof ApiError && error.status === 401 && query.queryKey[0] !== 'session')
        void queryClient.invalidateQueries({ queryKey: ['session'] })
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A 4xx will not change by asking again.
      retry: (n, error) => n < 2 && !(error instanceof ApiError && error.status < 500),
    },
  },
})

const NAV = [
  ['/', 'Overview'],
  ['/traces', 'Traces'],
  ['/cost', 'Cost'],
  ['/alerts', 'Alerts'],
  ['/budgets', 'Budgets'],
  ['/settings', 'Settings'],
] as const

function Page({ session }: { session: Schemas['Session'] }) {
  const { path } = useLocation()
  if (path === '/') return <Overview session={session} />
  if (path === '/traces') return <Traces />
  if (path.startsWith('/traces/')) return <Trace id={decodeURIComponent(path.slice('/traces/'.length))} />
  if (path === '/cost') return <Cost />
  if (path === '/alerts') return <Alerts session={session} />
  if (path === '/budgets') return <Budgets session={session} />
  if (path === '/settings') return <Settings session={session} />
  return <p>Not found.</p>
}

function App() {
  const { path } = useLocation()
  const client = useQueryClient()
  const session = useQuery({ queryKey: ['session'], queryFn: () => unwrap(api.GET('/api/session')), retry: false })
  if (session.isPending) return <Loading what="Connecting" />
  if (session.error instanceof ApiError && session.error.status === 401) return <Login />
  if (session.error) return <ErrorBox error={session.error} />
  if (path === '/login') {
    navigate('/', { replace: true })
    return null
  }
  const logout = async () => {
    await unwrap(api.DELETE('/api/session'))
    client.clear()
    navigate('/login', { replace: true })
    await client.invalidateQueries({ queryKey: ['session'] })
  }
  const active = (href: string) => (href === '/' ? path === '/' : path.startsWith(href))
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">Tollgate</span>
        <nav aria-label="Pages">
          {NAV.map(([href, label]) => (
            <Link
              key={href}
              href={href}
              class={active(href) ? 'active' : undefined}
              aria-current={active(href) ? 'page' : undefined}
            >
              {label}
            </Link>
          ))}
        </nav>
        <span class="who muted">
          {session.data.local_mode ? 'local mode' : `${session.data.role} · ${session.data.project_id}`}
          {session.data.local_mode ? null : (
            <button type="button" class="secondary small" onClick={() => void logout()}>
              Log out
            </button>
          )}
        </span>
      </header>
      <main>
        <Page session={session.data} />
      </main>
    </div>
  )
}

const root = document.getElementById('app')
if (root)
  render(
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>,
    root,
  )
