import { openApiRoutes } from '../../lib/openapi-route.js'
import { registerGraph } from './graph.js'
import { registerList } from './list.js'
import { registerSpans } from './spans.js'

export const traceRoutes = openApiRoutes()
registerList(traceRoutes)
registerSpans(traceRoutes)
registerGraph(traceRoutes)
