import type { Peer } from './peer.js';

/** A connected device of the load generator: its socket, and for Retract its bearer token. */
export interface Device {
  readonly peer: Peer;
  readonly userId: string;
  readonly token?: string;
}

/** A group and one device per member, the same shape for Retract and the relay. */
export interface Group {
  readonly conversationId: string;
  readonly devices: readonly Device[];
}

/** A send's outcome: the new message's id, or the error code it was refused with. */
export type SendResult = { readonly id: string } | { readonly refused: string };

/** How a device sends a text message. */
export type SendOp = (device: Device, group: Group, clientMsgId: string, body: string) => Promise<SendResult>;

/** How a device recalls a message: resolves true once the server acknowledged the recall. */
export type RecallOp = (device: Device, messageId: string) => Promise<boolean>;

export function closeDevices(devices: Iterable<Device>): void {
  for (const device of devices) device.peer.close();
}
