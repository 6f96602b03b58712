-- v4 StateSpans: what was in force when (profile, override, temp basal, pump mode, ...).
-- state_span_events holds one row per source document (treatment, device status) or manual
-- span and category: the facts the spans are replayed from. state_spans holds the replayed
-- spans that queries read. The category's StateSpanGrain is the only writer of both.
CREATE TABLE IF NOT EXISTS state_span_events (
    tenant_id     text     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    category      text     NOT NULL,
    origin_key    text     NOT NULL,   -- t:<treatment _id>, d:<devicestatus _id>, m:<manual span id>
    at_ms         bigint   NOT NULL,
    kind          smallint NOT NULL,   -- 0 close, 1 open, 2 sample (see StateSpanEventKind)
    state         text     NOT NULL,
    end_ms        bigint   NULL,       -- the end the source declared (start + duration)
    source        text     NULL,
    metadata      jsonb    NOT NULL,
    original_id   text     NULL,
    canonical_key text     NOT NULL,
    span_id       text     NOT NULL,
    manual        boolean  NOT NULL,
    PRIMARY KEY (tenant_id, category, origin_key)
);
CREATE INDEX IF NOT EXISTS state_span_events_at ON state_span_events (tenant_id, category, at_ms);

CREATE TABLE IF NOT EXISTS state_spans (
    tenant_id       text    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              text    NOT NULL,
    category        text    NOT NULL,
    state           text    NOT NULL,
    start_ms        bigint  NOT NULL,
    end_ms          bigint  NULL,      -- null while active
    declared_end_ms bigint  NULL,
    source          text    NULL,
    metadata        jsonb   NOT NULL,
    original_id     text    NULL,
    canonical_id    text    NOT NULL,
    sources         text[]  NOT NULL,
    manual          boolean NOT NULL,
    created_ms      bigint  NOT NULL,
    updated_ms      bigint  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- Range queries walk start_ms backwards from the range's end and stop at count; an overlap
-- with an old range is found from the end side.
CREATE INDEX IF NOT EXISTS state_spans_start ON state_spans (tenant_id, category, start_ms DESC);
CREATE INDEX IF NOT EXISTS state_spans_all_start ON state_spans (tenant_id, start_ms DESC);
CREATE INDEX IF NOT EXISTS state_spans_end ON state_spans (tenant_id, category, (COALESCE(end_ms, 9223372036854775807)));
