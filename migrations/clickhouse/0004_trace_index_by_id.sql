-- Finds a trace's rows in trace_index by id (the index is sorted by start time): the list reads the
-- earliest start of its page's traces here, then reads their spans from that day on only, instead of
-- probing every daily part of spans for them.
ALTER TABLE {{db}}.trace_index ADD INDEX IF NOT EXISTS idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1;

ALTER TABLE {{db}}.trace_index MATERIALIZE INDEX idx_trace_id;
