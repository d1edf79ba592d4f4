-- Tables derived from spans, each fed by a materialized view (every insert into spans also lands
-- here) and backfilled from the spans already stored. Views see every inserted row, so they are exact
-- only because the batch-store verb drops keys already stored before inserting (span_keys);
-- refreshRecentRollups (packages/store/src/clickhouse/rollups.ts) recomputes recent days from
-- deduplicated spans so a rare race cannot leave them wrong. Their TTL follows DATA_RETENTION_DAYS
-- (applyRetention). Backfills run after their view exists and before the server takes traffic, each
-- after a TRUNCATE, so re-running this file after a crash cannot count a span twice.

-- The idempotency key of every span ever stored, for findStoredSpanKeys: three narrow columns under
-- the same sort key, monthly parts (a lookup visits one primary-key range per month kept).
CREATE TABLE IF NOT EXISTS {{db}}.span_keys
(
    project_id  LowCardinality(String),
    trace_id    String,
    span_id     String,
    start_time  DateTime64(6, 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(start_time)
ORDER BY (project_id, trace_id, span_id)
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.span_keys_mv TO {{db}}.span_keys AS
SELECT project_id, trace_id, span_id, start_time FROM {{db}}.spans;

TRUNCATE TABLE {{db}}.span_keys;

INSERT INTO {{db}}.span_keys SELECT project_id, trace_id, span_id, start_time FROM {{db}}.spans
SETTINGS max_partitions_per_insert_block = 0;

-- The trace list's access path: one row per trace per insert (per day once refreshed), ordered by
-- project and start time, with what the list filters and sorts on. A trace's start is the least
-- start_time of its rows. Page contents are always aggregated from spans (exact); this table only
-- finds which traces are on the page.
CREATE TABLE IF NOT EXISTS {{db}}.trace_index
(
    project_id     LowCardinality(String),
    start_time     DateTime64(6, 'UTC'),
    trace_id       String,
    end_time       DateTime64(6, 'UTC'),
    spans          UInt64,
    errors         UInt64,
    oks            UInt64,
    input_tokens   UInt64,
    output_tokens  UInt64,
    cost_usd       Float64,
    models         Array(LowCardinality(String)),
    agent_ids      Array(String),
    user_ids       Array(String),
    session_ids    Array(String),
    -- key, NUL, value
    tags           Array(String),
    INDEX idx_models models TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_agents agent_ids TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_users user_ids TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_sessions session_ids TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_tags tags TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(start_time)
ORDER BY (project_id, start_time, trace_id)
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.trace_index_mv TO {{db}}.trace_index AS
SELECT project_id, min(start_time) AS start_time, trace_id, max(end_time) AS end_time,
       count() AS spans, countIf(status = 'error') AS errors, countIf(status = 'ok') AS oks,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd,
       groupUniqArrayIf(model, model != '') AS models, groupUniqArrayIf(agent_id, agent_id != '') AS agent_ids,
       groupUniqArrayIf(user_id, user_id != '') AS user_ids, groupUniqArrayIf(session_id, session_id != '') AS session_ids,
       groupUniqArrayArray(arrayMap((k, v) -> concat(k, '\0', v), mapKeys(tags), mapValues(tags))) AS tags
FROM (SELECT *, toYYYYMMDD(start_time) AS span_day FROM {{db}}.spans)
GROUP BY project_id, trace_id, span_day;

TRUNCATE TABLE {{db}}.trace_index;

INSERT INTO {{db}}.trace_index
SELECT project_id, min(start_time) AS start_time, trace_id, max(end_time) AS end_time,
       count() AS spans, countIf(status = 'error') AS errors, countIf(status = 'ok') AS oks,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd,
       groupUniqArrayIf(model, model != '') AS models, groupUniqArrayIf(agent_id, agent_id != '') AS agent_ids,
       groupUniqArrayIf(user_id, user_id != '') AS user_ids, groupUniqArrayIf(session_id, session_id != '') AS session_ids,
       groupUniqArrayArray(arrayMap((k, v) -> concat(k, '\0', v), mapKeys(tags), mapValues(tags))) AS tags
FROM (SELECT *, toYYYYMMDD(start_time) AS span_day FROM {{db}}.spans FINAL)
GROUP BY project_id, trace_id, span_day
SETTINGS max_partitions_per_insert_block = 0;

-- Cost and usage rollups (project × hour × …), summed on merge. Partitioned by day so that
-- refreshRecentRollups can replace a day atomically (REPLACE PARTITION from a *_staging twin).
CREATE TABLE IF NOT EXISTS {{db}}.cost_hourly
(
    project_id          LowCardinality(String),
    hour                DateTime64(0, 'UTC'),
    provider            LowCardinality(String),
    model               LowCardinality(String),
    agent_id            String,
    agent_name          String,
    calls               UInt64,
    errors              UInt64,
    input_tokens        UInt64,
    output_tokens       UInt64,
    cache_read_tokens   UInt64,
    cache_write_tokens  UInt64,
    reasoning_tokens    UInt64,
    cost_usd            Float64,
    duration_ms         Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMMDD(hour)
ORDER BY (project_id, hour, provider, model, agent_id, agent_name)
SETTINGS ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS {{db}}.cost_hourly_staging AS {{db}}.cost_hourly;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.cost_hourly_mv TO {{db}}.cost_hourly AS
SELECT project_id, toStartOfHour(start_time) AS hour, provider, model, agent_id, agent_name,
       count() AS calls, countIf(status = 'error') AS errors, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
       sum(cache_write_tokens) AS cache_write_tokens, sum(reasoning_tokens) AS reasoning_tokens,
       sum(cost_total_usd) AS cost_usd, sum(duration_ms) AS duration_ms
FROM {{db}}.spans
GROUP BY project_id, hour, provider, model, agent_id, agent_name;

CREATE TABLE IF NOT EXISTS {{db}}.cost_hourly_user
(
    project_id     LowCardinality(String),
    hour           DateTime64(0, 'UTC'),
    user_id        String,
    calls          UInt64,
    input_tokens   UInt64,
    output_tokens  UInt64,
    cost_usd       Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMMDD(hour)
ORDER BY (project_id, hour, user_id)
SETTINGS ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS {{db}}.cost_hourly_user_staging AS {{db}}.cost_hourly_user;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.cost_hourly_user_mv TO {{db}}.cost_hourly_user AS
SELECT project_id, toStartOfHour(start_time) AS hour, user_id, count() AS calls, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd
FROM {{db}}.spans
GROUP BY project_id, hour, user_id;

CREATE TABLE IF NOT EXISTS {{db}}.cost_hourly_tag
(
    project_id     LowCardinality(String),
    hour           DateTime64(0, 'UTC'),
    tag_key        LowCardinality(String),
    tag_value      String,
    calls          UInt64,
    input_tokens   UInt64,
    output_tokens  UInt64,
    cost_usd       Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMMDD(hour)
ORDER BY (project_id, hour, tag_key, tag_value)
SETTINGS ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS {{db}}.cost_hourly_tag_staging AS {{db}}.cost_hourly_tag;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.cost_hourly_tag_mv TO {{db}}.cost_hourly_tag AS
SELECT project_id, toStartOfHour(start_time) AS hour, tag.1 AS tag_key, tag.2 AS tag_value, count() AS calls,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd
FROM {{db}}.spans ARRAY JOIN arrayZip(mapKeys(tags), mapValues(tags)) AS tag
GROUP BY project_id, hour, tag_key, tag_value;

CREATE TABLE IF NOT EXISTS {{db}}.trace_index_staging AS {{db}}.trace_index;

-- Backfills of the rollups from the deduplicated spans already stored.
TRUNCATE TABLE {{db}}.cost_hourly;

INSERT INTO {{db}}.cost_hourly
SELECT project_id, toStartOfHour(start_time) AS hour, provider, model, agent_id, agent_name,
       count() AS calls, countIf(status = 'error') AS errors, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
       sum(cache_write_tokens) AS cache_write_tokens, sum(reasoning_tokens) AS reasoning_tokens,
       sum(cost_total_usd) AS cost_usd, sum(duration_ms) AS duration_ms
FROM {{db}}.spans FINAL
GROUP BY project_id, hour, provider, model, agent_id, agent_name
SETTINGS max_partitions_per_insert_block = 0;

TRUNCATE TABLE {{db}}.cost_hourly_user;

INSERT INTO {{db}}.cost_hourly_user
SELECT project_id, toStartOfHour(start_time) AS hour, user_id, count() AS calls, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd
FROM {{db}}.spans FINAL
GROUP BY project_id, hour, user_id
SETTINGS max_partitions_per_insert_block = 0;

TRUNCATE TABLE {{db}}.cost_hourly_tag;

INSERT INTO {{db}}.cost_hourly_tag
SELECT project_id, toStartOfHour(start_time) AS hour, tag.1 AS tag_key, tag.2 AS tag_value, count() AS calls,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd
FROM {{db}}.spans FINAL ARRAY JOIN arrayZip(mapKeys(tags), mapValues(tags)) AS tag
GROUP BY project_id, hour, tag_key, tag_value
SETTINGS max_partitions_per_insert_block = 0;
