export { createServer } from './server.js';
export type { RetractServer, ServerParts } from './server.js';
export { loadConfig, ConfigError, ConfigSchema } from './config.js';
export type { ServerConfig } from './config.js';
export type { Clock } from './core/clock.js';
export type { Storage } from './storage/storage.js';
export type { Bus } from './bus/bus.js';
export { validatePolicyDocument, formatPolicyError, presetNames } from './core/policy/index.js';
export type { PolicyDocument, PolicyError } from './core/policy/index.js';
