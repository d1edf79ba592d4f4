import { Hono } from 'hono'
import type { AppEnv } from '../../context.js'
import { registerGraph } from './graph.js'
import { registerList } from './list.js'
import { registerSpans } from './spans.js'

export const traceRoutes = new Hono<AppEnv>()
registerList(traceRoutes)
registerSpans(traceRoutes)
registerGraph(traceRoutes)
