/** Test seams, for this repository's suites and embedders' tests. Not for production use. */
export { FakeClock } from './fake-clock.js';
export { openSqliteStorage } from '../storage/sqlite/sqlite-storage.js';
export { createMemoryBus } from '../bus/memory/memory-bus.js';
