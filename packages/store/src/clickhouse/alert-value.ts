// Every query in this file takes the project id as a required parameter and filters on it first.
import { z } from 'zod'
import { microsToClickHouse } from '@tollgate/core'
import type { ClickHouse } from './client.js'
import { runQuery } from './query.js'
import type { AlertCondition } from '../postgres/schema.js'

/** The window a condition looks back over when the rule names none, in seconds. */
export const DEFAULT_ALERT_WINDOW_S: Record<AlertCondition, number> = {
  cost_per_hour: 3600,
  cost_per_day: 86_400,
  error_rate: 300,
  latency_p95_ms: 300,
  calls_per_minute: 60,
  tokens_per_hour: 3600,
  pii_detected_count: 3600,
  injection_attempt_count: 3600,
}

/** The value of a condition over the window: rates are scaled to their unit (per hour, day, minute). */
const VALUE: Record<AlertCondition, (windowS: number) => string> = {
  cost_per_hour: (w) => `sum(cost_total_usd) * ${3600 / w}`,
  cost_per_day: (w) => `sum(cost_total_usd) * ${86_400 / w}`,
  error_rate: () => `if(count() = 0, 0, countIf(status = 'error') / count())`,
  latency_p95_ms: () => `if(count() = 0, 0, quantileExactInclusive(0.95)(duration_ms))`,
  calls_per_minute: (w) => `count() * ${60 / w}`,
  tokens_per_hour: (w) => `sum(input_tokens + output_tokens) * ${3600 / w}`,
  pii_detected_count: () => 'countIf(pii_detected)',
  injection_attempt_count: () => 'countIf(injection_attempt)',
}

export interface AlertValueInput {
  projectId: string
  condition: AlertCondition
  windowS: number
  nowMs: number
  agentId?: string | null | undefined
  model?: string | null | undefined
  /** `key=value` */
  tag?: string | null | undefined
}

/** A rule's current value over the deduplicated spans that started in (now − window, now]. */
export async function alertValue(ch: ClickHouse, input: AlertValueInput): Promise<number> {
  const params: Record<string, unknown> = {
    project: input.projectId,
    from: microsToClickHouse((input.nowMs - input.windowS * 1000) * 1000),
    to: microsToClickHouse(input.nowMs * 1000),
  }
  const where = [
    'project_id = {project:String}',
    "start_time > {from:DateTime64(6, 'UTC')}",
    "start_time <= {to:DateTime64(6, 'UTC')}",
  ]
  if (input.agentId) {
    where.push('agent_id = {agent:String}')
    params.agent = input.agentId
  }
  if (input.model) {
    where.push('model = {model:String}')
    params.model = input.model
  }
  if (input.tag) {
    const at = input.tag.indexOf('=')
    where.push('mapContains(tags, {tk:String}) AND tags[{tk:String}] = {tv:String}')
    params.tk = at < 0 ? input.tag : input.tag.slice(0, at)
    params.tv = at < 0 ? '' : input.tag.slice(at + 1)
  }
  const [row] = await runQuery(ch, {
    name: `alerts.value_${input.condition}`,
    query: `SELECT toFloat64(${VALUE[input.condition](input.windowS)}) AS value FROM ${ch.table('spans')} FINAL WHERE ${where.join(' AND ')}`,
    params,
    schema: z.object({ value: z.coerce.number() }),
  })
  return Number.isFinite(row?.value) ? (row?.value ?? 0) : 0
}
