import type { Connection } from './connection.js';

/** The sockets this node holds, by user and by device. */
export class ConnectionRegistry {
  private byUser = new Map<string, Set<Connection>>();
  private byDevice = new Map<string, Set<Connection>>();

  add(connection: Connection): void {
    addTo(this.byUser, connection.userId, connection);
    addTo(this.byDevice, connection.deviceId, connection);
  }

  remove(connection: Connection): void {
    removeFrom(this.byUser, connection.userId, connection);
    removeFrom(this.byDevice, connection.deviceId, connection);
  }

  ofUser(userId: string): ReadonlySet<Connection> | undefined {
    return this.byUser.get(userId);
  }

  ofDevice(deviceId: string): ReadonlySet<Connection> | undefined {
    return this.byDevice.get(deviceId);
  }

  *all(): Iterable<Connection> {
    for (const set of this.byUser.values()) yield* set;
  }

  get size(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }
}

function addTo(map: Map<string, Set<Connection>>, key: string, c: Connection): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(c);
}

function removeFrom(map: Map<string, Set<Connection>>, key: string, c: Connection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(c);
  if (set.size === 0) map.delete(key);
}
