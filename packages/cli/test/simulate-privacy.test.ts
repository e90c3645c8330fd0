import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { Progress } from '../src/bench/progress.js';
import { resolveParams } from '../src/simulate/params.js';
import { runSimulation } from '../src/simulate/run.js';

/**
 * Must-show 2: no analytics table, log line or metric ever holds message content. Every simulated
 * message carries a canary; afterwards the canary is looked for in every file of the data directory
 * (databases, WAL, key store), in an explicit dump of the analytics tables, in everything the server
 * logged (at trace level) and in the `/metrics` text.
 */
const ANALYTICS_TABLES = ['recall_buckets', 'recall_follow_ups', 'daily_activity'];

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The canary as UTF-8 and as UTF-16 (SQLite may store either). */
function contains(bytes: Buffer, canary: string): boolean {
  return bytes.includes(Buffer.from(canary, 'utf8')) || bytes.includes(Buffer.from(canary, 'utf16le'));
}

describe('retract simulate: no content in analytics, logs or metrics', () => {
  it('finds the canary nowhere', { timeout: 90_000 }, async () => {
    const canary = `CANARY-${randomBytes(8).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'retract-privacy-'));
    const logLines: string[] = [];
    const logger = pino(
      { level: 'trace', base: { service: 'retract' } },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    let metrics = '';
    let analyticsDump: Record<string, unknown[]> = {};
    try {
      const result = await runSimulation({
        params: resolveParams({
          seed: 7,
          users: 40,
          messagesPerUser: 6,
          hours: [9, 13],
          duration: 8,
          attemptShare: 0.6,
          repeatShare: 0.6,
          followUps: { correction: 0.3, hide: 0.2, message: 0.2, none: 0.3 },
          canary,
          maxTime: 60,
        }),
        progress: new Progress(false),
        embedded: {
          dataDir,
          logger,
          beforeClose: async ({ url }) => {
            metrics = await (await fetch(`${url}/metrics`)).text();
          },
        },
      });
      assert.ok(result.put.messages > 100, 'messages were sent');
      assert.ok(result.put.attempts > 10, 'recalls were attempted, so the analytics have rows');

      // An explicit dump of the analytics tables, from the database file the server wrote.
      const databases = files(dataDir).filter((f) => f.endsWith('.db'));
      assert.ok(databases.length > 0, 'the server wrote a database');
      for (const file of databases) {
        const db = new Database(file, { readonly: true });
        try {
          const tables = new Set(
            db
              .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
              .all()
              .map((r) => (r as { name: string }).name),
          );
          for (const table of ANALYTICS_TABLES.filter((t) => tables.has(t))) {
            analyticsDump[table] = db.prepare(`SELECT * FROM ${table}`).all();
          }
        } finally {
          db.close();
        }
      }
      assert.deepEqual(
        Object.keys(analyticsDump).sort(),
        [...ANALYTICS_TABLES].sort(),
        'every analytics table found',
      );
      assert.ok(analyticsDump['recall_buckets']!.length > 0, 'attempts were recorded');
      assert.ok(analyticsDump['daily_activity']!.length > 0, 'activity was recorded');
      assert.ok(!JSON.stringify(analyticsDump).includes(canary), 'no canary in the analytics tables');

      // Every byte the server left on disk.
      for (const file of files(dataDir)) {
        assert.ok(!contains(readFileSync(file), canary), `canary found in ${file}`);
      }
      assert.ok(logLines.length > 10, 'the server logged the run');
      assert.ok(!logLines.join('').includes(canary), 'no canary in the log output');
      assert.match(metrics, /# TYPE/, 'metrics were read');
      assert.ok(!metrics.includes(canary), 'no canary in /metrics');
    } finally {
      analyticsDump = {};
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('would find a canary where there is one (the search itself works)', () => {
    const canary = `CANARY-${randomBytes(8).toString('hex')}`;
    assert.ok(contains(Buffer.from(`x${canary}y`, 'utf8'), canary));
    assert.ok(contains(Buffer.from(`x${canary}y`, 'utf16le'), canary));
    assert.ok(!contains(Buffer.from('CANARY-other', 'utf8'), canary));
  });
});
