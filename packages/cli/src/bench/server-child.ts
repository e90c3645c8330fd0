import { createServer, loadConfig } from '@retract/server';
import { exitWithParent } from './child.js';

/**
 * Child process: a Retract server built from the JSON config in argv[2] (embedded SQLite in the bench's
 * temp dir). Prints `READY <url>` once listening.
 */
const server = await createServer(loadConfig(JSON.parse(process.argv[2] ?? '{}')));
const url = await server.listen();
exitWithParent(() => server.close());
process.stdout.write(`READY ${url}\n`);
