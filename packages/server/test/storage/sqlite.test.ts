import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { storageContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'retract-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

storageContract({
  name: 'sqlite (file, WAL)',
  open: async () => openSqliteStorage({ path: join(dir, 'contract.db'), synchronous: 'normal' }),
});

storageContract({
  name: 'sqlite (in memory)',
  open: async () => openSqliteStorage({ path: ':memory:', synchronous: 'normal' }),
});
