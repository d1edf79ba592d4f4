-- Projections of spans sorted by (project, user | session | agent, start time): the trace list's
-- filter on one user, session or agent reads the granules holding that value, where trace_index's
-- bloom filters skip almost nothing (a user's traces are spread over every day and granule of the
-- range: bench:query at 10M spans, `?user_id=` read every index row, 1,097 ms). Candidate lookups
-- need no FINAL (a duplicate only repeats an id in an IN set), so the projections are used.
-- A merge of a ReplacingMergeTree drops rows: the projection of a merged part is rebuilt from it.
ALTER TABLE {{db}}.spans MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild';

ALTER TABLE {{db}}.spans ADD PROJECTION IF NOT EXISTS p_user
    (SELECT project_id, user_id, start_time, trace_id ORDER BY project_id, user_id, start_time);

ALTER TABLE {{db}}.spans ADD PROJECTION IF NOT EXISTS p_session
    (SELECT project_id, session_id, start_time, trace_id ORDER BY project_id, session_id, start_time);

ALTER TABLE {{db}}.spans ADD PROJECTION IF NOT EXISTS p_agent
    (SELECT project_id, agent_id, start_time, trace_id ORDER BY project_id, agent_id, start_time);

-- Existing parts, in one mutation (one pass over the parts, not three: a mutation's cost is mostly per
-- part). Until a part has them, it is read as before; new parts are written with them.
ALTER TABLE {{db}}.spans MATERIALIZE PROJECTION p_user, MATERIALIZE PROJECTION p_session, MATERIALIZE PROJECTION p_agent;
