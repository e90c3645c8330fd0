import type { MigrationSet } from '../../storage/postgres/migrate.js';

/**
 * The PostgreSQL key store's schema. Its tables and its migrations table have names of their own, so
 * that a key store sharing a schema with the message storage (not recommended: see
 * postgres-key-store.ts) cannot collide with it. Never edit a shipped migration: append a new one.
 */
const migrations: readonly string[] = [
  `
  -- One row per live data key. Only the wrapped form is stored: the key sealed under the master key,
  -- bound to its id. Destroying a key deletes its row.
  CREATE TABLE data_keys (
    id         TEXT COLLATE "C" PRIMARY KEY,
    wrapped    BYTEA NOT NULL,
    -- When it was made, so orphans (a key whose content was never stored) can be found and swept.
    created_at BIGINT NOT NULL
  );

  -- Small facts about the store itself; 'kek_check' proves at open that the master key is the right one.
  CREATE TABLE key_store_meta (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value BYTEA NOT NULL
  );
  `,
];

export const keyStoreMigrations: MigrationSet = {
  what: 'key store schema',
  table: 'key_store_migrations',
  // Retract's advisory lock namespace ("RTR\0" + 0x10): the key store's schema.
  lockKey: 0x52545210,
  migrations,
};
