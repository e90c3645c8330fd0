/**
 * The key store's schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Never edit a shipped migration: append a new one.
 */
export const migrations: readonly string[] = [
  `
  -- One row per live data key. Only the wrapped form is stored: the key sealed under the master key,
  -- bound to its id. Destroying a key deletes its row (secure_delete zeroes the cell).
  CREATE TABLE data_keys (
    id         TEXT PRIMARY KEY,
    wrapped    BLOB NOT NULL,
    -- When it was made, so orphans (a key whose content was never stored) can be found and swept.
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  -- Small facts about the store itself; 'kek_check' proves at open that the master key is the right one.
  CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
];
