-- The Nightscout document collections. One table per collection, all of the same shape:
-- the document as jsonb plus the columns every query path needs, so that nothing scans a
-- site's history (a 5-minute CGM adds 105,000 entries a year).
--   identifier    v3 identifier (client-supplied, or the object id for v1 documents)
--   object_id     24-hex _id that v1 clients see
--   date_ms       the document's own time: entries date, profile startDate, others created_at
--   type          entries type / treatments eventType / devicestatus device (dedup keys)
--   srv_created, srv_modified   server clocks in epoch ms; srv_modified strictly increases per site
--   is_valid      false after a v3 soft delete
DO $$
DECLARE
    collection text;
BEGIN
    FOREACH collection IN ARRAY ARRAY['entries', 'treatments', 'devicestatus', 'profile', 'food', 'activity', 'settings']
    LOOP
        EXECUTE format($ddl$
            CREATE TABLE IF NOT EXISTS %1$I (
                tenant_id    text    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                identifier   text    NOT NULL,
                object_id    text    NOT NULL,
                date_ms      bigint  NOT NULL,
                type         text    NULL,
                srv_created  bigint  NOT NULL,
                srv_modified bigint  NOT NULL,
                is_valid     boolean NOT NULL DEFAULT true,
                doc          jsonb   NOT NULL,
                PRIMARY KEY (tenant_id, identifier)
            );
            CREATE UNIQUE INDEX IF NOT EXISTS %1$s_object_id ON %1$I (tenant_id, object_id);
            CREATE INDEX IF NOT EXISTS %1$s_date ON %1$I (tenant_id, date_ms DESC);
            CREATE INDEX IF NOT EXISTS %1$s_type_date ON %1$I (tenant_id, type, date_ms DESC);
            CREATE INDEX IF NOT EXISTS %1$s_modified ON %1$I (tenant_id, srv_modified);
        $ddl$, collection);
    END LOOP;
END
$$;
