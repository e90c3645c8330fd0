import { exitWithParent } from './child.js';
import { startRelay } from './relay-server.js';

/** Child process: the raw `ws` relay on 127.0.0.1, an ephemeral port. Prints `READY <url>`. */
const relay = await startRelay('127.0.0.1');
exitWithParent(() => relay.close());
process.stdout.write(`READY ws://127.0.0.1:${relay.port}\n`);
