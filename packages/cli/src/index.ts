export { resolveServerConfig } from './server-config.js';
export { readEnvironment } from './env.js';
