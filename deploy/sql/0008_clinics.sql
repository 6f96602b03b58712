-- Clinics: a tenant of its own kind (staff subjects and roles, no glucose data of its own) that
-- patients share their site with, read-only. The share is the source of truth for every clinic
-- access, read on each request, so that a revocation takes effect at once.
CREATE TABLE IF NOT EXISTS clinics (
    tenant_id  text        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A patient's invitation: only the SHA-256 of the share code is kept; single use, with an expiry.
CREATE TABLE IF NOT EXISTS clinic_invitations (
    code_hash   bytea       PRIMARY KEY,
    patient_id  text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_by text        NULL REFERENCES clinics (tenant_id) ON DELETE CASCADE,
    accepted_at timestamptz NULL
);
CREATE INDEX IF NOT EXISTS clinic_invitations_patient ON clinic_invitations (patient_id);

CREATE TABLE IF NOT EXISTS clinic_shares (
    clinic_id  text        NOT NULL REFERENCES clinics (tenant_id) ON DELETE CASCADE,
    patient_id text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clinic_id, patient_id)
);
CREATE INDEX IF NOT EXISTS clinic_shares_patient ON clinic_shares (patient_id);

-- What clinics did with a patient's data, for the patient to read. The clinic id is kept as text
-- (no reference) so the record outlives a deleted clinic.
CREATE TABLE IF NOT EXISTS clinic_audit (
    id         bigserial   PRIMARY KEY,
    patient_id text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    clinic_id  text        NOT NULL,
    subject    text        NULL,
    action     text        NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS clinic_audit_patient ON clinic_audit (patient_id, at DESC);
