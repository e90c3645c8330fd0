// One cluster node in a child process, for the cluster and fault tests: the real server from a config
// given as JSON in argv[2]; prints `READY <url>` once it listens. Killed by the test with SIGKILL or
// SIGTERM (it closes cleanly on SIGTERM).
import { createServer, loadConfig } from '../../src/index.js';

const server = await createServer(loadConfig(JSON.parse(process.argv[2] ?? '{}')));
const url = await server.listen();
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
