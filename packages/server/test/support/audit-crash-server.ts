import { createServer, loadConfig } from '../../src/index.js';
import type { FaultHooks } from '../../src/actions/context.js';

/**
 * A server for crash tests, run as a child process: `tsx audit-crash-server.ts <config-json> <fault>`.
 * With a fault named, the server kills itself with SIGKILL at that point of the next recall — a real
 * crash, nothing flushed, nothing closed. Prints `{"url": …}` on one line once it listens.
 */
const [configJson = '{}', fault = 'none'] = process.argv.slice(2);
const die = () => {
  process.kill(process.pid, 'SIGKILL');
};
const faults: FaultHooks =
  fault === 'afterErase'
    ? { afterErase: die }
    : fault === 'afterRecallCommit'
      ? { afterRecallCommit: die }
      : {};
const server = await createServer(loadConfig(JSON.parse(configJson)), { faults });
const url = await server.listen();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
