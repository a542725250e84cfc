/*
 * sql_text: every SQL statement the server sends, as constants with $n
 * parameters.  Nothing else in server/ builds SQL; values always travel as
 * parameters.
 */
#ifndef HAILONG_SQL_TEXT_H
#define HAILONG_SQL_TEXT_H

/* The name of the table that records applied migrations. */
#define MIGRATIONS_TABLE "hailong_migrations"

extern const char SQL_HEALTH_SCHEMA_VERSION[];
extern const char SQL_MIGRATE_LOCK[];
extern const char SQL_MIGRATE_UNLOCK[];
extern const char SQL_MIGRATE_CREATE_TABLE[];
extern const char SQL_MIGRATE_APPLIED[];
extern const char SQL_MIGRATE_RECORD[];

#endif
