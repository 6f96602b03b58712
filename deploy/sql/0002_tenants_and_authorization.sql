-- Sites (tenants) and Nightscout authorization: subjects and roles per site.
-- Every table holding a site's data has a tenant_id column referencing tenants(id) with
-- ON DELETE CASCADE, so deleting a site removes all of its rows.

CREATE TABLE IF NOT EXISTS tenants (
    id                 text        PRIMARY KEY CHECK (id ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    display_name       text        NOT NULL,
    enabled            boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    -- Salted SHA-256 of the SHA1 hex and of the SHA512 hex of the API secret; never the secret.
    secret_salt        bytea       NOT NULL,
    secret_sha1_hash   bytea       NULL,
    secret_sha512_hash bytea       NULL,
    -- HS256 key for this site's JWTs.
    jwt_key            bytea       NOT NULL,
    settings           jsonb       NOT NULL
);

CREATE TABLE IF NOT EXISTS auth_roles (
    tenant_id   text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          text        NOT NULL,
    name        text        NOT NULL,
    permissions text[]      NOT NULL,
    notes       text        NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE IF NOT EXISTS auth_subjects (
    tenant_id         text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                text        NOT NULL,
    name              text        NOT NULL,
    roles             text[]      NOT NULL,
    notes             text        NULL,
    -- Salted (tenant salt) SHA-256 of the token's secret suffix and of the SHA1 hex of the whole token.
    token_prefix      text        NOT NULL,
    token_suffix_hash bytea       NOT NULL,
    token_sha1_hash   bytea       NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, token_suffix_hash)
);
