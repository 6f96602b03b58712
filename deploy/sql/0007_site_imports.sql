-- Imports of whole Nightscout sites (MongoDB or API): where each collection's copy stands, so that an
-- interrupted import resumes from its last committed page, and what an operator reads as progress.
CREATE TABLE IF NOT EXISTS site_imports (
    tenant_id   text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source      text        NOT NULL,
    state       text        NOT NULL,
    message     text,
    started_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id)
);

CREATE TABLE IF NOT EXISTS site_import_collections (
    tenant_id    text    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    collection   text    NOT NULL,
    cursor       text,
    source_count bigint,
    read         bigint  NOT NULL DEFAULT 0,
    imported     bigint  NOT NULL DEFAULT 0,
    stored       bigint,
    done         boolean NOT NULL DEFAULT false,
    skipped      jsonb   NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (tenant_id, collection)
);
