-- Access tokens encrypted with the deployment's key (AccessTokens__EncryptionKey, AES-256-GCM),
-- so that /api/v2/authorization/subjects can show them to an admin as the reference does.
-- Lookups keep using the salted hashes; NULL for subjects created without a configured key.
ALTER TABLE auth_subjects ADD COLUMN IF NOT EXISTS token_encrypted bytea NULL;
