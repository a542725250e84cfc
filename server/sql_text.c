#include "sql_text.h"

const char SQL_HEALTH_SCHEMA_VERSION[] =
	"SELECT coalesce(max(version), 0) FROM " MIGRATIONS_TABLE;

/* One fixed key: "hailong" in ASCII, as a bigint.  Session-level, so two
 * `hailong migrate` runs queue up instead of applying a file twice. */
const char SQL_MIGRATE_LOCK[] = "SELECT pg_advisory_lock(104971108111110103)";
const char SQL_MIGRATE_UNLOCK[] = "SELECT pg_advisory_unlock(104971108111110103)";

const char SQL_MIGRATE_CREATE_TABLE[] =
	"CREATE TABLE IF NOT EXISTS " MIGRATIONS_TABLE " ("
	" version integer PRIMARY KEY,"
	" name text NOT NULL,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

const char SQL_MIGRATE_APPLIED[] =
	"SELECT version, name, checksum, to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS TZ') FROM "
	MIGRATIONS_TABLE " ORDER BY version";

const char SQL_MIGRATE_RECORD[] =
	"INSERT INTO " MIGRATIONS_TABLE " (version, name, checksum) VALUES ($1, $2, $3)";
