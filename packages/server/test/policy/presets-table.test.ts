import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConversationKind, Role } from '@retract/protocol';
import {
  decideRecall,
  resolvePolicy,
  noBounds,
  type ContentType,
  type PresetName,
  type RecallDecision,
} from '../../src/core/policy/index.js';
import { sentAtMs, tenYearsMs } from './arbitraries.js';

/*
 * Every preset × conversation kind × content type × actor × time, against the table in
 * docs/policies.md ("Presets"), restated here by hand. Nothing below calls the engine's own helpers:
 * the expectations come from this table and the small rule under it.
 */

const min = 60;
const h = 3600;
const d = 86400;
const noLimit = null;

type Win = number | null;
interface Row {
  /** Sender's window per kind, then per-type exceptions (both kinds). */
  readonly direct: Win;
  readonly group: Win;
  readonly perType: Partial<Record<ContentType, Win>>;
  /** Direct chats: the other side may recall too, within the sender's window. */
  readonly peer: boolean;
  /** Group moderators and their window. */
  readonly moderators: readonly ('owner' | 'admin' | 'server_admin')[];
  readonly moderatorWindow: Win;
  readonly placeholder: 'always' | 'none';
  readonly reEditSeconds: number;
}

// prettier-ignore
const table: Record<PresetName, Row> = {
  //          direct      group     per type                                    peer   moderators                     mod window  placeholder reEdit
  wechat:   { direct: 2 * min, group: 2 * min, perType: { file: 3 * h, voice: 3 * h, video: 3 * h }, peer: false, moderators: [], moderatorWindow: d, placeholder: 'always', reEditSeconds: 5 * min },
  dingtalk: { direct: d, group: d, perType: {}, peer: false, moderators: ['owner'], moderatorWindow: noLimit, placeholder: 'always', reEditSeconds: 0 },
  feishu:   { direct: d, group: d, perType: {}, peer: false, moderators: ['owner', 'admin'], moderatorWindow: 365 * d, placeholder: 'always', reEditSeconds: 0 },
  telegram: { direct: noLimit, group: 2 * d, perType: {}, peer: true, moderators: ['owner', 'admin'], moderatorWindow: noLimit, placeholder: 'none', reEditSeconds: 0 },
  whatsapp: { direct: 60 * h, group: 60 * h, perType: {}, peer: false, moderators: ['owner', 'admin'], moderatorWindow: 60 * h, placeholder: 'always', reEditSeconds: 0 },
  signal:   { direct: d, group: d, perType: {}, peer: false, moderators: ['owner', 'admin'], moderatorWindow: d, placeholder: 'always', reEditSeconds: 0 },
  slack:    { direct: noLimit, group: noLimit, perType: {}, peer: false, moderators: ['server_admin'], moderatorWindow: noLimit, placeholder: 'none', reEditSeconds: 0 },
  matrix:   { direct: noLimit, group: noLimit, perType: {}, peer: false, moderators: ['owner', 'admin'], moderatorWindow: noLimit, placeholder: 'always', reEditSeconds: 0 },
};

const kinds: readonly ConversationKind[] = ['direct', 'group'];
const types: readonly ContentType[] = ['text', 'image', 'file', 'voice', 'video', 'link'];

interface Actor {
  readonly name: string;
  readonly userId: string;
  readonly conversationRole: Role | null;
  readonly serverAdmin: boolean;
}
// In a direct chat Retract makes both sides owners; the rule must not turn that into moderation.
const actors = (kind: ConversationKind): readonly Actor[] => [
  {
    name: 'sender',
    userId: 'u_sender',
    conversationRole: kind === 'direct' ? 'owner' : 'member',
    serverAdmin: false,
  },
  {
    name: 'peer member',
    userId: 'u_peer',
    conversationRole: kind === 'direct' ? 'owner' : 'member',
    serverAdmin: false,
  },
  { name: 'owner', userId: 'u_owner', conversationRole: 'owner', serverAdmin: false },
  { name: 'admin', userId: 'u_admin', conversationRole: 'admin', serverAdmin: false },
  { name: 'server admin', userId: 'u_root', conversationRole: null, serverAdmin: true },
  { name: 'non-member', userId: 'u_stranger', conversationRole: null, serverAdmin: false },
];

type Expected = 'hidden' | `allowed as ${string}` | `denied ${string}`;

const inside = (w: Win, elapsedMs: number) => w === null || (w > 0 && elapsedMs <= w * 1000);

/** The documented rule, applied to one row of the table. */
function expected(
  row: Row,
  kind: ConversationKind,
  type: ContentType,
  actor: Actor,
  elapsedMs: number,
): Expected {
  if (actor.conversationRole === null && !actor.serverAdmin) return 'hidden';
  const senderWindow = row.perType[type] !== undefined ? row.perType[type] : row[kind];
  if (actor.name === 'sender') {
    return inside(senderWindow, elapsedMs) ? 'allowed as sender' : 'denied recall_window_expired';
  }
  if (kind === 'direct') {
    if (actor.conversationRole === null || !row.peer) return 'denied not_permitted';
    return inside(senderWindow, elapsedMs) ? 'allowed as peer' : 'denied recall_window_expired';
  }
  const capacity =
    actor.conversationRole === 'owner' && row.moderators.includes('owner')
      ? 'owner'
      : actor.conversationRole === 'admin' && row.moderators.includes('admin')
        ? 'admin'
        : actor.serverAdmin && row.moderators.includes('server_admin')
          ? 'server_admin'
          : null;
  if (capacity === null) return 'denied not_permitted';
  return inside(row.moderatorWindow, elapsedMs) ? `allowed as ${capacity}` : 'denied recall_window_expired';
}

/** 0, 10 years, and 1 ms before / at / 1 ms after the end of every finite window in the row. */
function times(row: Row): number[] {
  const windows = [row.direct, row.group, row.moderatorWindow, ...Object.values(row.perType)];
  const out = new Set<number>([0, tenYearsMs]);
  for (const w of windows) {
    if (w !== null && w > 0) for (const delta of [-1, 0, 1]) out.add(w * 1000 + delta);
  }
  return [...out].sort((a, b) => a - b);
}

function show(decision: RecallDecision): Expected {
  switch (decision.kind) {
    case 'hidden':
      return 'hidden';
    case 'allowed':
      return `allowed as ${decision.as}`;
    case 'denied':
      return `denied ${decision.code}`;
    case 'already_recalled':
      return 'denied already_recalled';
  }
}

const variants: readonly (readonly [boolean, boolean, string | null])[] = [
  [false, true, null],
  [true, true, null],
  [false, false, null],
  [true, false, 'spam'],
];

let total = 0;

/** One case: returns a failure description, or null. */
function check(
  preset: PresetName,
  row: Row,
  kind: ConversationKind,
  type: ContentType,
  actor: Actor,
  elapsedMs: number,
  [flagged, readByOthers, reason]: (typeof variants)[number],
): string | null {
  const decision = decideRecall({
    actor,
    conversationKind: kind,
    message: { senderId: 'u_sender', type, sentAtMs, tombstone: null, flagged, readByOthers },
    reason,
    policy: resolvePolicy({ server: { preset }, kind, bounds: noBounds }),
    nowMs: sentAtMs + elapsedMs,
  });
  total++;
  const at = `${type}, ${actor.name}, +${elapsedMs} ms (flagged ${flagged}, read ${readByOthers}, reason ${reason})`;
  const want = expected(row, kind, type, actor, elapsedMs);
  const got = show(decision);
  if (got !== want) return `${at}: ${got}, expected ${want}`;
  if (decision.kind === 'denied') {
    const { windowSeconds, sentAt, now } = decision.facts;
    if (windowSeconds === undefined || sentAt !== iso(sentAtMs) || now !== iso(sentAtMs + elapsedMs)) {
      return `${at}: facts ${JSON.stringify(decision.facts)}`;
    }
  }
  if (
    decision.kind === 'allowed' &&
    (decision.label !== null) !== !['sender', 'peer'].includes(decision.as)
  ) {
    return `${at}: label ${decision.label}`;
  }
  return null;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('presets: every kind × type × actor × boundary, against the documented table', () => {
  for (const [preset, row] of Object.entries(table) as [PresetName, Row][]) {
    for (const kind of kinds) {
      it(`${preset}, ${kind}`, () => {
        const failures: string[] = [];
        for (const type of types) {
          for (const actor of actors(kind)) {
            for (const elapsedMs of times(row)) {
              // No preset turns on the smart window or until-read, and none requires a reason.
              for (const variant of variants) {
                const failure = check(preset, row, kind, type, actor, elapsedMs, variant);
                if (failure !== null) failures.push(failure);
              }
            }
          }
        }
        assert.deepEqual(failures, []);
      });
    }
    it(`${preset}: placeholder and re-edit`, () => {
      const policy = resolvePolicy({ server: { preset }, kind: 'group', bounds: noBounds });
      assert.equal(policy.placeholder, row.placeholder);
      assert.equal(policy.reEditSeconds, row.reEditSeconds);
      assert.equal(policy.preset, preset);
    });
  }

  it('covered thousands of cases', () => {
    assert.ok(total > 10_000, `only ${total} cases`);
  });
});
