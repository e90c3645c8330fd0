import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBus } from '../../src/bus/memory/memory-bus.js';
import { busContract } from './contract.js';

busContract({
  name: 'memory',
  open: async () => {
    const bus = createMemoryBus();
    // One process: both "nodes" share the bus; closing either clears it, which the contract tolerates.
    return { a: bus, b: bus };
  },
});

it('memory bus: a throwing handler does not stop the others', async () => {
  const errors: unknown[] = [];
  const bus = createMemoryBus((e) => errors.push(e));
  const seen: string[] = [];
  bus.subscribe(() => {
    throw new Error('bad handler');
  });
  bus.subscribe((m) => seen.push(m.kind));
  await bus.publish({ kind: 'device.revoked', userId: 'u', deviceId: 'd' });
  assert.deepEqual(seen, ['device.revoked']);
  assert.equal(errors.length, 1);
});
