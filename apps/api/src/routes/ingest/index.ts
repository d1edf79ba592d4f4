import { Hono } from 'hono'
import type { AppEnv } from '../../context.js'
import { registerIngest } from './post.js'

export const ingestRoutes = new Hono<AppEnv>()
registerIngest(ingestRoutes)
