// Runs WAL checkpoints on its own connection, in its own thread, so that copying pages and syncing the
// database file never stalls the server's event loop. See checkpointer.ts for the protocol.
//
// Plain JavaScript on purpose: a worker thread does not inherit the TypeScript loader the server runs
// under, and this file is small enough not to need types.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path);
db.pragma('busy_timeout = 10000');

parentPort.on('message', (request) => {
  let reply;
  try {
    const [result] = db.pragma(`wal_checkpoint(${request.mode === 'TRUNCATE' ? 'TRUNCATE' : 'PASSIVE'})`);
    reply =
      request.mode === 'TRUNCATE' && result?.busy !== 0
        ? { id: request.id, ok: false, error: 'checkpoint could not complete (busy)' }
        : { id: request.id, ok: true };
  } catch (error) {
    reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort.postMessage(reply);
});
