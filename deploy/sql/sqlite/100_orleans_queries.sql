-- Orleans' query table. Microsoft.Orleans.Persistence.AdoNet 10.4.2 ships no SQL: at start the storage
-- provider reads its queries from OrleansQuery by key and from then on executes only those texts, binding
-- named parameters (@ServiceId, ...). 110_orleans_storage.sql adds the rows.
--
-- On SQLite only grain state uses Orleans' ADO.NET provider (Invariant "System.Data.SQLite", which Orleans maps
-- to Microsoft.Data.Sqlite's factory); reminders use a table of our own and clustering is localhost.
-- Applied by FleaMarket.Persistence's DatabaseSchema migrator in file-name order, once per database file, inside
-- BEGIN IMMEDIATE. Every script is also safe to run again by hand with the sqlite3 shell.
CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
