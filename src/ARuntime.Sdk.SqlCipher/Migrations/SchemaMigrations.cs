namespace ARuntime.Sdk.SqlCipher.Migrations;

/// <summary>
/// The versioned schema. Steps are append-only: a released step is never edited, a change is a new step. All SQL runs on
/// SQLite 3.15.2 (SQLCipher 3.4.1): no UPSERT, RETURNING, window functions, JSON1 or FTS5.
/// </summary>
internal static class SchemaMigrations
{
    /// <summary>PRAGMA application_id of a store database ("ARTS"), so a foreign SQLite file is recognised.</summary>
    public const int ApplicationId = 0x41525453;

    /// <summary>The schema version this build writes.</summary>
    public const int CurrentVersion = 7;

    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "evidence log: records, sealed payloads, Merkle nodes, tree heads, checkpoints; store secrets and tenant keys", """
            CREATE TABLE store_meta(name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE store_secret(name TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE tenant_key(
                tenant_id TEXT NOT NULL PRIMARY KEY,
                key_id TEXT NOT NULL,
                created_ticks INTEGER NOT NULL,
                erased_ticks INTEGER) WITHOUT ROWID;
            CREATE TABLE evidence_record(
                tenant_id TEXT NOT NULL,
                leaf_index INTEGER NOT NULL,
                record_id TEXT NOT NULL,
                request_id TEXT NOT NULL,
                correlation_id TEXT,
                stage INTEGER NOT NULL,
                kind TEXT NOT NULL,
                outcome INTEGER NOT NULL,
                timestamp_ticks INTEGER NOT NULL,
                retention INTEGER NOT NULL,
                leaf BLOB NOT NULL,
                PRIMARY KEY (tenant_id, leaf_index)) WITHOUT ROWID;
            CREATE UNIQUE INDEX evidence_record_by_id ON evidence_record(tenant_id, record_id);
            CREATE INDEX evidence_record_by_request ON evidence_record(tenant_id, request_id);
            CREATE INDEX evidence_record_by_correlation ON evidence_record(tenant_id, correlation_id);
            CREATE INDEX evidence_record_by_time ON evidence_record(tenant_id, timestamp_ticks);
            CREATE TABLE evidence_payload(
                tenant_id TEXT NOT NULL,
                leaf_index INTEGER NOT NULL,
                payload_index INTEGER NOT NULL,
                subject TEXT,
                sealed BLOB NOT NULL,
                PRIMARY KEY (tenant_id, leaf_index, payload_index)) WITHOUT ROWID;
            CREATE INDEX evidence_payload_by_subject ON evidence_payload(tenant_id, subject);
            CREATE TABLE merkle_node(
                tenant_id TEXT NOT NULL,
                level INTEGER NOT NULL,
                node_index INTEGER NOT NULL,
                hash BLOB NOT NULL,
                PRIMARY KEY (tenant_id, level, node_index)) WITHOUT ROWID;
            CREATE TABLE evidence_tree(
                tenant_id TEXT NOT NULL PRIMARY KEY,
                tree_size INTEGER NOT NULL,
                root_hash BLOB NOT NULL,
                updated_ticks INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE evidence_checkpoint(
                tenant_id TEXT NOT NULL,
                tree_size INTEGER NOT NULL,
                root_hash BLOB NOT NULL,
                created_ticks INTEGER NOT NULL,
                note TEXT NOT NULL,
                PRIMARY KEY (tenant_id, tree_size)) WITHOUT ROWID;
            """),
        new(2, "agent memory: sealed items, revision history, FTS4 blind keyword index", """
            CREATE TABLE memory_item(
                id INTEGER PRIMARY KEY,
                item_id TEXT NOT NULL UNIQUE,
                tenant_id TEXT NOT NULL,
                scope_kind INTEGER NOT NULL,
                owner_id TEXT NOT NULL,
                revision INTEGER NOT NULL,
                created_ticks INTEGER NOT NULL,
                updated_ticks INTEGER NOT NULL,
                expires_ticks INTEGER,
                retention INTEGER NOT NULL,
                sealed BLOB NOT NULL);
            CREATE INDEX memory_item_by_scope ON memory_item(tenant_id, scope_kind, owner_id, updated_ticks);
            CREATE INDEX memory_item_by_expiry ON memory_item(expires_ticks);
            CREATE TABLE memory_history(
                item_id TEXT NOT NULL,
                revision INTEGER NOT NULL,
                tenant_id TEXT NOT NULL,
                recorded_ticks INTEGER NOT NULL,
                sealed BLOB NOT NULL,
                PRIMARY KEY (item_id, revision)) WITHOUT ROWID;
            CREATE VIRTUAL TABLE memory_fts USING fts4(terms, tokenize=simple);
            """),
        new(3, "idempotency keys, tool operation ledger, paused requests, request journal", """
            CREATE TABLE idempotency_key(
                tenant_id TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                request_digest TEXT NOT NULL,
                request_id TEXT NOT NULL,
                completed INTEGER NOT NULL,
                result BLOB,
                created_ticks INTEGER NOT NULL,
                expires_ticks INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, idempotency_key)) WITHOUT ROWID;
            CREATE INDEX idempotency_key_by_expiry ON idempotency_key(expires_ticks);
            CREATE TABLE tool_operation(
                tenant_id TEXT NOT NULL,
                operation_key TEXT NOT NULL,
                tool_name TEXT NOT NULL,
                request_id TEXT NOT NULL,
                completed INTEGER NOT NULL,
                result BLOB,
                started_ticks INTEGER NOT NULL,
                completed_ticks INTEGER,
                PRIMARY KEY (tenant_id, operation_key)) WITHOUT ROWID;
            CREATE TABLE paused_request(
                tenant_id TEXT NOT NULL,
                approval_id TEXT NOT NULL,
                request_id TEXT NOT NULL,
                claimed INTEGER NOT NULL,
                checkpoint_format TEXT NOT NULL,
                sealed BLOB NOT NULL,
                created_ticks INTEGER NOT NULL,
                expires_ticks INTEGER NOT NULL,
                claimed_ticks INTEGER,
                PRIMARY KEY (tenant_id, approval_id)) WITHOUT ROWID;
            CREATE TABLE request_journal(
                tenant_id TEXT NOT NULL,
                request_id TEXT NOT NULL,
                actor_id TEXT NOT NULL,
                state INTEGER NOT NULL,
                final_status TEXT,
                stage INTEGER,
                approval_id TEXT,
                started_ticks INTEGER NOT NULL,
                updated_ticks INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, request_id)) WITHOUT ROWID;
            CREATE INDEX request_journal_by_state ON request_journal(state);
            """),
        new(4, "evidence: one row per record (leaf, query columns, sealed payloads), tiles instead of Merkle node rows, tenant numbers", """
            CREATE TABLE evidence_log(
                tenant_no INTEGER PRIMARY KEY,
                tenant_id TEXT NOT NULL UNIQUE,
                tree_size INTEGER NOT NULL,
                root_hash BLOB NOT NULL,
                updated_ticks INTEGER NOT NULL);
            INSERT INTO evidence_log(tenant_id, tree_size, root_hash, updated_ticks)
                SELECT t.tenant_id, COALESCE(e.tree_size, 0), COALESCE(e.root_hash, x'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'), COALESCE(e.updated_ticks, 0)
                FROM (SELECT tenant_id FROM evidence_tree UNION SELECT tenant_id FROM evidence_record UNION SELECT tenant_id FROM merkle_node) t
                LEFT JOIN evidence_tree e ON e.tenant_id = t.tenant_id
                ORDER BY t.tenant_id;
            ALTER TABLE evidence_record RENAME TO evidence_record_v3;
            DROP INDEX evidence_record_by_id;
            DROP INDEX evidence_record_by_request;
            DROP INDEX evidence_record_by_correlation;
            DROP INDEX evidence_record_by_time;
            CREATE TABLE evidence_record(
                id INTEGER PRIMARY KEY,
                tenant_no INTEGER NOT NULL,
                record_id TEXT NOT NULL,
                request_id TEXT NOT NULL,
                correlation_id TEXT,
                stage INTEGER NOT NULL,
                kind TEXT NOT NULL,
                outcome INTEGER NOT NULL,
                timestamp_ticks INTEGER NOT NULL,
                retention INTEGER NOT NULL,
                subject TEXT,
                leaf BLOB NOT NULL,
                payloads BLOB);
            CREATE TABLE evidence_tile(
                tenant_no INTEGER NOT NULL,
                level INTEGER NOT NULL,
                tile_index INTEGER NOT NULL,
                hashes BLOB NOT NULL,
                PRIMARY KEY (tenant_no, level, tile_index)) WITHOUT ROWID;
            """,
            EvidenceRowsMigration.Apply),
        new(5, "request journal: the idempotency key a running request holds (recovery answers retries under it)", """
            ALTER TABLE request_journal ADD COLUMN idempotency_key TEXT;
            """),

        // Rows written from here on hold their leaf and sealed payloads in the compact stored form (CompactJson); older rows
        // stay canonical and read as before. The version keeps builds that cannot read the compact form from opening the file.
        new(6, "evidence: leaves and sealed payloads stored in the compact form (compact-json/1)", """
            INSERT OR REPLACE INTO store_meta(name, value) VALUES ('evidence.storage_form', 'compact-json/1');
            """),

        // The runtime's expiry sweep asks every minute for unclaimed expired approvals: without an index that would read
        // every row, including its (encrypted, overflowing) sealed checkpoint, to reach the expiry column stored after it.
        new(7, "paused requests: index for the approval expiry sweep", """
            CREATE INDEX IF NOT EXISTS paused_request_by_expiry ON paused_request(claimed, expires_ticks, request_id);
            """),
    ];
}
