import { randomBytes } from 'node:crypto';
import type { Device, Group } from './devices.js';
import { Peer } from './peer.js';
import { mapLimit } from './pool.js';
import type { Bar } from './progress.js';

/** Ids shaped like Retract's (a kind letter and 16 base64url characters), so frames have equal sizes. */
export function fakeId(kind: 'u' | 'c'): string {
  return `${kind}_${randomBytes(12).toString('base64url')}`;
}

/** Connects `count` devices to one relay group; the relay needs no registration. */
export async function connectRelayGroup(
  relayUrl: string,
  count: number,
  timeoutMs: number,
  bar: Bar,
): Promise<Group> {
  const conversationId = fakeId('c');
  const userIds = Array.from({ length: count }, () => fakeId('u'));
  const devices: Device[] = [];
  try {
    await mapLimit(userIds, 64, async (userId) => {
      const url = `${relayUrl}/?group=${conversationId}&user=${userId}`;
      devices.push({ peer: await Peer.connect(url, undefined, timeoutMs), userId });
      bar.increment();
    });
  } catch (error) {
    for (const device of devices) device.peer.close();
    throw error;
  }
  return { conversationId, devices };
}
