-- One row per span. Redelivery of the same (project_id, trace_id, span_id) inserts another row with the
-- same sort key; ReplacingMergeTree keeps the latest ingested_at at merge time and every read
-- deduplicates with FINAL until then (docs/architecture.md, "Idempotency").
CREATE TABLE IF NOT EXISTS {{db}}.spans
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
    -- values are JSON text so numbers and booleans keep their type on the way back
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
    INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(start_time)
ORDER BY (project_id, trace_id, span_id)
TTL toDateTime(start_time) + INTERVAL 30 DAY
SETTINGS index_granularity = 8192
