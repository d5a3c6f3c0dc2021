-- Orleans' query table. The ADO.NET providers (Microsoft.Orleans.Persistence.AdoNet, Reminders.AdoNet and
-- Clustering.AdoNet 10.4.2) ship no SQL: at start each runs `SELECT QueryKey, QueryText FROM OrleansQuery`
-- and from then on executes only the texts it found, by key, binding named parameters (@ServiceId, ...).
-- Scripts 110-130 add the tables and the rows; what a provider reads and binds is noted next to each row.
--
-- Applied by FleaMarket.Persistence's DatabaseSchema migrator in file-name order, once per database, in one
-- transaction under an advisory lock. Every script is also safe to run again by hand with psql.
--
-- The name stays unquoted because the providers' own SELECT is unquoted: PostgreSQL folds both to
-- orleansquery, and Npgsql matches the QueryKey/QueryText columns by name regardless of case.
CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);
