-- Orleans ADO.NET provider contract for PostgreSQL, written for Nocturne.
--
-- The Microsoft.Orleans.Persistence.AdoNet and Microsoft.Orleans.Reminders.AdoNet
-- packages ship no SQL: at start-up they read their statements from the table
-- OrleansQuery (QueryKey, QueryText). This file creates the tables behind those
-- statements and registers them. Parameter names (@GrainIdHash, @PayloadBinary,
-- @ReminderName, ...) and result column names (PayloadBinary, Version,
-- NewGrainStateVersion, GrainId, ReminderName, StartTime, Period) are the
-- providers' contract and must not change; everything else is ours.

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64)   NOT NULL PRIMARY KEY,
    querytext varchar(8000) NOT NULL
);

-- Grain state. A row is identified by service, state name ("grain type" to the
-- provider) and the grain key parts; the two hashes only narrow the index scan.
CREATE TABLE IF NOT EXISTS orleans_grain_state (
    service_id       varchar(150) NOT NULL,
    grain_type       varchar(512) NOT NULL,
    grain_type_hash  integer      NOT NULL,
    grain_id_hash    integer      NOT NULL,
    grain_id_n0      bigint       NOT NULL,
    grain_id_n1      bigint       NOT NULL,
    grain_id_ext     varchar(512) NULL,
    payload          bytea        NULL,
    version          integer      NOT NULL,
    modified_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT orleans_grain_state_key UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext)
);

-- Reminders. grain_hash is the grain's uniform hash stored as a signed int, so
-- ring ranges are compared in signed order (the provider picks the query).
CREATE TABLE IF NOT EXISTS orleans_reminders (
    service_id    varchar(150) NOT NULL,
    grain_id      varchar(150) NOT NULL,
    reminder_name varchar(150) NOT NULL,
    start_time    timestamptz  NOT NULL,
    period        bigint       NOT NULL,
    grain_hash    integer      NOT NULL,
    version       integer      NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
CREATE INDEX IF NOT EXISTS orleans_reminders_ring ON orleans_reminders (service_id, grain_hash);

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadFromStorageKey', $q$
SELECT s.payload AS PayloadBinary, s.version AS Version
FROM orleans_grain_state s
WHERE s.grain_id_hash = @GrainIdHash
  AND s.grain_type_hash = @GrainTypeHash
  AND s.service_id = @ServiceId
  AND s.grain_type = @GrainTypeString
  AND s.grain_id_n0 = @GrainIdN0
  AND s.grain_id_n1 = @GrainIdN1
  AND s.grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),
-- Optimistic concurrency: a first write (no version) inserts, a later write must
-- name the stored version. Either way exactly one row comes back; a NULL version
-- in it tells the provider that someone else wrote first.
('WriteToStorageKey', $q$
WITH inserted AS (
    INSERT INTO orleans_grain_state
        (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_ext, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @PayloadBinary, 1
    WHERE CAST(@GrainStateVersion AS integer) IS NULL
    ON CONFLICT ON CONSTRAINT orleans_grain_state_key DO NOTHING
    RETURNING version
), updated AS (
    UPDATE orleans_grain_state s
    SET payload = @PayloadBinary, version = s.version + 1, modified_at = now()
    WHERE CAST(@GrainStateVersion AS integer) IS NOT NULL
      AND s.version = CAST(@GrainStateVersion AS integer)
      AND s.grain_id_hash = @GrainIdHash
      AND s.grain_type_hash = @GrainTypeHash
      AND s.service_id = @ServiceId
      AND s.grain_type = @GrainTypeString
      AND s.grain_id_n0 = @GrainIdN0
      AND s.grain_id_n1 = @GrainIdN1
      AND s.grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING s.version
)
SELECT (SELECT version FROM inserted UNION ALL SELECT version FROM updated LIMIT 1) AS NewGrainStateVersion
$q$),
('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE orleans_grain_state s
    SET payload = NULL, version = s.version + 1, modified_at = now()
    WHERE s.version = CAST(@GrainStateVersion AS integer)
      AND s.grain_id_hash = @GrainIdHash
      AND s.grain_type_hash = @GrainTypeHash
      AND s.service_id = @ServiceId
      AND s.grain_type = @GrainTypeString
      AND s.grain_id_n0 = @GrainIdN0
      AND s.grain_id_n1 = @GrainIdN1
      AND s.grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING s.version
)
SELECT (SELECT version FROM cleared) AS Version
$q$),
('DeleteStorageKey', $q$
WITH deleted AS (
    DELETE FROM orleans_grain_state s
    WHERE s.version = CAST(@GrainStateVersion AS integer)
      AND s.grain_id_hash = @GrainIdHash
      AND s.grain_type_hash = @GrainTypeHash
      AND s.service_id = @ServiceId
      AND s.grain_type = @GrainTypeString
      AND s.grain_id_n0 = @GrainIdN0
      AND s.grain_id_n1 = @GrainIdN1
      AND s.grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING s.version + 1 AS version
)
SELECT (SELECT version FROM deleted) AS Version
$q$),
('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminders AS r (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = EXCLUDED.start_time, period = EXCLUDED.period, grain_hash = EXCLUDED.grain_hash, version = r.version + 1
RETURNING r.version AS Version
$q$),
('ReadReminderRowsKey', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$),
('ReadReminderRowKey', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$),
('ReadRangeRows1Key', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$),
('ReadRangeRows2Key', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
      AND version = CAST(@Version AS integer)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted)
$q$),
('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminders WHERE service_id = @ServiceId
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
