import type { Tombstone } from '@retract/sdk';
import type { Phrase } from './format.js';

const moderatorRoles = new Set(['owner', 'admin', 'server_admin']);

/**
 * What a recalled message (or a quote of one) shows instead of its content. The tombstone's role
 * decides: a moderator's removal names no moderator but shows the reason; the server's own erasures
 * (disappearing timer, retention) are not "recalled by" anyone; otherwise the person who recalled it —
 * the sender, or the other side of a direct chat — is named, "You" for oneself.
 */
export function placeholderPhrase(
  tombstone: Tombstone,
  senderId: string,
  myId: string | null,
  nameOf: (userId: string) => string,
): Phrase {
  if (tombstone.role === 'expiry') return { key: 'placeholder.expired' };
  if (tombstone.role === 'retention') return { key: 'placeholder.retention' };
  if (moderatorRoles.has(tombstone.role) && tombstone.recalledBy !== senderId) {
    return tombstone.reason === null || tombstone.reason === ''
      ? { key: 'placeholder.removedByAdminNoReason' }
      : { key: 'placeholder.removedByAdmin', values: { reason: tombstone.reason } };
  }
  // A consent recall has the sender as recalledBy; a peer recall names the peer.
  const by = tombstone.role === 'peer' ? tombstone.recalledBy : senderId;
  if (by === myId) return { key: 'placeholder.youRecalled' };
  return { key: 'placeholder.theyRecalled', values: { name: nameOf(by) } };
}

/** Re-edit is offered only to the one who recalled their own text, while the server's offer lasts. */
export function canReEdit(reEdit: { until: string } | undefined, now: number): boolean {
  return reEdit !== undefined && Date.parse(reEdit.until) > now;
}
