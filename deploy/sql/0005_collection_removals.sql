-- When a site last removed documents of a collection for good (v1 DELETE, v3 permanent delete).
-- A removed row leaves no srv_modified behind, yet a v3 client polling lastModified must see
-- that the collection changed, and the site clock must never run back after a restart.
CREATE TABLE IF NOT EXISTS collection_removals (
    tenant_id  text   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    collection text   NOT NULL,
    removed_ms bigint NOT NULL,
    PRIMARY KEY (tenant_id, collection)
);
