-- `unknown_cost_calls` counts model calls without a price, not every span the pricer could not price:
-- an agent, tool or chain span carries no model and no tokens, so it is never a call that went
-- unpriced (0005 counted those too). A model call is a span that names a model or is of kind `llm` or
-- `embedding`. The three views are re-created with that condition and the rollups backfilled from the
-- deduplicated spans after a TRUNCATE (migrations run before the server takes traffic), as 0005 did;
-- refreshRecentRollups' recompute queries (packages/store/src/clickhouse/rollups.ts) follow.
DROP VIEW IF EXISTS {{db}}.cost_hourly_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.cost_hourly_mv TO {{db}}.cost_hourly AS
SELECT project_id, toStartOfHour(start_time) AS hour, provider, model, agent_id, agent_name,
       count() AS calls, countIf(status = 'error') AS errors, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
       sum(cache_write_tokens) AS cache_write_tokens, sum(reasoning_tokens) AS reasoning_tokens,
       sum(cost_total_usd) AS cost_usd, sum(duration_ms) AS duration_ms,
       countIf(cost_status = 'unknown' AND (model != '' OR kind IN ('llm', 'embedding'))) AS unknown_cost_calls
FROM {{db}}.spans
GROUP BY project_id, hour, provider, model, agent_id, agent_name;

DROP VIEW IF EXISTS {{db}}.cost_hourly_user_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.cost_hourly_user_mv TO {{db}}.cost_hourly_user AS
SELECT project_id, toStartOfHour(start_time) AS hour, user_id, count() AS calls, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd, sum(cache_read_tokens) AS cache_read_tokens,
       countIf(cost_status = 'unknown' AND (model != '' OR kind IN ('llm', 'embedding'))) AS unknown_cost_calls
FROM {{db}}.spans
GROUP BY project_id, hour, user_id;

DROP VIEW IF EXISTS {{db}}.cost_hourly_tag_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.cost_hourly_tag_mv TO {{db}}.cost_hourly_tag AS
SELECT project_id, toStartOfHour(start_time) AS hour, tag.1 AS tag_key, tag.2 AS tag_value, count() AS calls,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd,
       sum(cache_read_tokens) AS cache_read_tokens,
       countIf(cost_status = 'unknown' AND (model != '' OR kind IN ('llm', 'embedding'))) AS unknown_cost_calls
FROM {{db}}.spans ARRAY JOIN arrayZip(mapKeys(tags), mapValues(tags)) AS tag
GROUP BY project_id, hour, tag_key, tag_value;

TRUNCATE TABLE {{db}}.cost_hourly;

INSERT INTO {{db}}.cost_hourly
SELECT project_id, toStartOfHour(start_time) AS hour, provider, model, agent_id, agent_name,
       count() AS calls, countIf(status = 'error') AS errors, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
       sum(cache_write_tokens) AS cache_write_tokens, sum(reasoning_tokens) AS reasoning_tokens,
       sum(cost_total_usd) AS cost_usd, sum(duration_ms) AS duration_ms,
       countIf(cost_status = 'unknown' AND (model != '' OR kind IN ('llm', 'embedding'))) AS unknown_cost_calls
FROM {{db}}.spans FINAL
GROUP BY project_id, hour, provider, model, agent_id, agent_name
SETTINGS max_partitions_per_insert_block = 0;

TRUNCATE TABLE {{db}}.cost_hourly_user;

INSERT INTO {{db}}.cost_hourly_user
SELECT project_id, toStartOfHour(start_time) AS hour, user_id, count() AS calls, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd, sum(cache_read_tokens) AS cache_read_tokens,
       countIf(cost_status = 'unknown' AND (model != '' OR kind IN ('llm', 'embedding'))) AS unknown_cost_calls
FROM {{db}}.spans FINAL
GROUP BY project_id, hour, user_id
SETTINGS max_partitions_per_insert_block = 0;

TRUNCATE TABLE {{db}}.cost_hourly_tag;

INSERT INTO {{db}}.cost_hourly_tag
SELECT project_id, toStartOfHour(start_time) AS hour, tag.1 AS tag_key, tag.2 AS tag_value, count() AS calls,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd,
       sum(cache_read_tokens) AS cache_read_tokens,
       countIf(cost_status = 'unknown' AND (model != '' OR kind IN ('llm', 'embedding'))) AS unknown_cost_calls
FROM {{db}}.spans FINAL ARRAY JOIN arrayZip(mapKeys(tags), mapValues(tags)) AS tag
GROUP BY project_id, hour, tag_key, tag_value
SETTINGS max_partitions_per_insert_block = 0;
