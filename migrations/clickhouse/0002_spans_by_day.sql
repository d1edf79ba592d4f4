-- spans v2: daily partitions (UTC day of start_time) so retention drops whole parts, and no TTL in the
-- file: applyRetention sets it from DATA_RETENTION_DAYS right after the migrations, on a DateTime64
-- expression that cannot overflow (0001's `toDateTime(start_time) + N DAY` wrapped past 2106).
-- The sort key stays (project_id, trace_id, span_id): a trace's spans are one primary-key range per
-- partition, and identical rows (a replay the key lookup missed) still collapse under FINAL.
-- Dedup of redeliveries happens before insert (span_keys, 0003); see docs/architecture.md.
--
-- Rebuilt by copy and swap. Each step is guarded (`-- @when`, migrations/README.md) so a crash at any
-- point re-runs safely: the copy is redone from the start until the swap, and the swap happens once.
-- @when SELECT count() FROM system.tables WHERE database = '{{db}}' AND name = 'spans' AND partition_key = 'toYYYYMM(start_time)'
CREATE TABLE IF NOT EXISTS {{db}}.spans_v2
(
    project_id          LowCardinality(String),
    trace_id            String,
    span_id             String,
    parent_span_id      String,
    name                String,
    kind                LowCardinality(String),
    start_time          DateTime64(6, 'UTC'),
    end_time            DateTime64(6, 'UTC'),
    duration_ms         Float64,
    status              LowCardinality(String),
    error_message       String,
    provider            LowCardinality(String),
    model               LowCardinality(String),
    response_model      LowCardinality(String),
    operation           LowCardinality(String),
    stream              Bool,
    ttft_ms             Nullable(Float64),
    input_tokens        UInt64,
    output_tokens       UInt64,
    total_tokens        UInt64,
    cache_read_tokens   UInt64,
    cache_write_tokens  UInt64,
    reasoning_tokens    UInt64,
    cost_input_usd      Float64,
    cost_output_usd     Float64,
    cost_total_usd      Float64,
    cost_status         LowCardinality(String),
    price_source        LowCardinality(String),
    agent_id            String,
    agent_name          String,
    agent_role          LowCardinality(String),
    agent_parent_id     String,
    user_id             String,
    session_id          String,
    tags                Map(LowCardinality(String), String),
    input               String CODEC(ZSTD(3)),
    output              String CODEC(ZSTD(3)),
    input_truncated     Bool,
    output_truncated    Bool,
    attributes          Map(String, String) CODEC(ZSTD(3)),
    pii_detected        Bool,
    pii_types           Array(LowCardinality(String)),
    injection_attempt   Bool,
    sampled             Bool,
    prompt_sha256       String,
    source              LowCardinality(String),
    ingested_at         DateTime64(6, 'UTC'),
    INDEX idx_start_time start_time TYPE minmax GRANULARITY 1,
    INDEX idx_model model TYPE set(256) GRANULARITY 4,
    INDEX idx_agent agent_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_user user_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4,
    -- Word search (GET /api/traces?search=): inverted indexes, lower-cased, split on non-letters.
    INDEX idx_name_text name TYPE text(tokenizer = 'splitByNonAlpha', preprocessor = lower(name)),
    INDEX idx_input_text input TYPE text(tokenizer = 'splitByNonAlpha', preprocessor = lower(input)),
    INDEX idx_output_text output TYPE text(tokenizer = 'splitByNonAlpha', preprocessor = lower(output))
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMMDD(start_time)
ORDER BY (project_id, trace_id, span_id)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- @when SELECT count() FROM system.tables WHERE database = '{{db}}' AND name = 'spans' AND partition_key = 'toYYYYMM(start_time)'
TRUNCATE TABLE {{db}}.spans_v2;

-- FINAL merging across partitions keeps one row per key (the latest delivery), which also removes the
-- cross-month duplicates 0001 let through.
-- @when SELECT count() FROM system.tables WHERE database = '{{db}}' AND name = 'spans' AND partition_key = 'toYYYYMM(start_time)'
INSERT INTO {{db}}.spans_v2 SELECT * FROM {{db}}.spans FINAL
SETTINGS do_not_merge_across_partitions_select_final = 0, max_partitions_per_insert_block = 0, max_insert_threads = 1;

-- @when SELECT count() FROM system.tables WHERE database = '{{db}}' AND name = 'spans' AND partition_key = 'toYYYYMM(start_time)'
EXCHANGE TABLES {{db}}.spans AND {{db}}.spans_v2;

-- Only once the swap is done: spans_v2 then holds 0001's table, whose rows are all in spans.
-- @when SELECT count() FROM system.tables WHERE database = '{{db}}' AND name = 'spans' AND partition_key = 'toYYYYMMDD(start_time)'
DROP TABLE IF EXISTS {{db}}.spans_v2;
