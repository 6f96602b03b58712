-- Each document's text as PostgreSQL writes its jsonb (doc::text), kept beside it. The v1 and v3
-- reads send that text (StoredTextV1Writer copies it into the answer), and producing it from jsonb
-- on every read was a quarter to a third of the database's time for a 100-document list; stored,
-- it is produced once per write instead of once per read of every document.
-- A generated column: PostgreSQL computes it on every insert and update from doc itself, so no
-- write path can leave the two out of step, and adding it fills it in for every existing row
-- (the table is rewritten once, under an exclusive lock, while the migration runs).
-- Cost: a second copy of each document's text, about the size of the jsonb (texts over 2 KB, as
-- large devicestatus documents, are compressed like the jsonb).
DO $$
DECLARE
    collection text;
BEGIN
    FOREACH collection IN ARRAY ARRAY['entries', 'treatments', 'devicestatus', 'profile', 'food', 'activity', 'settings']
    LOOP
        EXECUTE format($ddl$
            ALTER TABLE %1$I ADD COLUMN IF NOT EXISTS doc_text text GENERATED ALWAYS AS (doc::text) STORED;
        $ddl$, collection);
    END LOOP;
END
$$;
