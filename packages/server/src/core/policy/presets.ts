import type { EffectivePolicy, PresetName } from './document.js';
import { deepFreeze } from './freeze.js';

/**
 * The starting points. `defaultPolicy` is what an empty document means: today's behaviour (the sender
 * alone, 2 minutes, every type). The presets model each platform's *documented* behaviour as of writing
 * (see docs/policies.md, which explains every value the platforms do not document).
 */

const minute = 60;
const hour = 60 * minute;
const day = 24 * hour;

/** Values every preset shares unless it says otherwise: the optional features start off. */
const dormant = {
  recallableTypes: ['text', 'image', 'file', 'voice', 'video', 'link'],
  directPeerMayRecall: false,
  untilRead: false,
  consent: { enabled: false, maxAgeSeconds: 7 * day, requestTtlSeconds: day },
  reEditSeconds: 0,
  smartWindow: { enabled: false, windowSeconds: day },
  placeholder: 'always',
} as const satisfies Partial<EffectivePolicy>;

/** No moderators; the window (24 h) is what they get if a later scope names some roles. */
const noModerators = {
  roles: [],
  windowSeconds: day,
  requireReason: false,
  label: 'A message was removed by an admin',
} as const satisfies EffectivePolicy['moderation'];

export const defaultPolicy: EffectivePolicy = deepFreeze({
  ...dormant,
  preset: null,
  windows: { direct: 2 * minute, group: 2 * minute, types: {} },
  moderation: noModerators,
});

export const presets: Readonly<Record<PresetName, EffectivePolicy>> = deepFreeze({
  wechat: {
    ...dormant,
    preset: 'wechat',
    windows: {
      direct: 2 * minute,
      group: 2 * minute,
      types: {
        file: { direct: 3 * hour, group: 3 * hour },
        voice: { direct: 3 * hour, group: 3 * hour },
        video: { direct: 3 * hour, group: 3 * hour },
      },
    },
    moderation: noModerators,
    reEditSeconds: 5 * minute,
  },
  dingtalk: {
    ...dormant,
    preset: 'dingtalk',
    windows: { direct: day, group: day, types: {} },
    moderation: {
      roles: ['owner'],
      windowSeconds: null,
      requireReason: false,
      label: 'The group owner recalled a message',
    },
  },
  feishu: {
    ...dormant,
    preset: 'feishu',
    windows: { direct: day, group: day, types: {} },
    moderation: {
      roles: ['owner', 'admin'],
      windowSeconds: 365 * day,
      requireReason: false,
      label: 'A group admin recalled a message',
    },
  },
  telegram: {
    ...dormant,
    preset: 'telegram',
    windows: { direct: null, group: 2 * day, types: {} },
    moderation: {
      roles: ['owner', 'admin'],
      windowSeconds: null,
      requireReason: false,
      label: 'A message was deleted by an admin',
    },
    directPeerMayRecall: true,
    placeholder: 'none',
  },
  whatsapp: {
    ...dormant,
    preset: 'whatsapp',
    windows: { direct: 60 * hour, group: 60 * hour, types: {} },
    moderation: {
      roles: ['owner', 'admin'],
      windowSeconds: 60 * hour,
      requireReason: false,
      label: 'This message was deleted by an admin',
    },
  },
  signal: {
    ...dormant,
    preset: 'signal',
    windows: { direct: day, group: day, types: {} },
    moderation: {
      roles: ['owner', 'admin'],
      windowSeconds: day,
      requireReason: false,
      label: 'This message was deleted by an admin',
    },
  },
  slack: {
    ...dormant,
    preset: 'slack',
    windows: { direct: null, group: null, types: {} },
    moderation: {
      roles: ['server_admin'],
      windowSeconds: null,
      requireReason: false,
      label: 'A message was deleted by a workspace admin',
    },
    placeholder: 'none',
  },
  matrix: {
    ...dormant,
    preset: 'matrix',
    windows: { direct: null, group: null, types: {} },
    moderation: {
      roles: ['owner', 'admin'],
      windowSeconds: null,
      requireReason: false,
      label: 'Message deleted by a moderator',
    },
  },
});
