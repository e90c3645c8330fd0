import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { avatarColor, avatarPalette, avatarText, contrastRatio, initials } from '../src/lib/avatar.js';

// The palettes live in the tokens file: light in its first `:root`, dark in a `prefers-color-scheme: dark` block.
const css = readFileSync(join(import.meta.dirname, '../src/styles/tokens.css'), 'utf8');
const darkQuery = '@media (prefers-color-scheme: dark) {';
const darkAt = css.indexOf(darkQuery);

/** Where the first `:root { … }` block after `from` starts, or -1 (also when `from` is -1: nothing to search). */
function rootBlock(from: number): number {
  return from < 0 ? -1 : css.indexOf(':root {', from);
}

/** The `--name: #rrggbb` custom properties of the `:root { … }` block at `start` (none when -1). */
function palette(start: number): Map<string, string> {
  const out = new Map<string, string>();
  if (start < 0) return out;
  const end = css.indexOf('}', start);
  for (const m of css.slice(start, end).matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\b/gi)) {
    if (m[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2]);
  }
  return out;
}

/** Text colour → the backgrounds the stylesheet puts it on. */
const pairs: Record<string, readonly string[]> = {
  fg: ['bg', 'surface', 'surface-2', 'hover', 'accent-soft', 'in', 'danger-soft'],
  muted: ['bg', 'surface', 'surface-2', 'hover', 'accent-soft', 'in'],
  'accent-text': ['bg', 'surface', 'surface-2', 'hover', 'accent-soft'],
  'accent-fg': ['accent'],
  'out-fg': ['out'],
  'out-muted': ['out'],
  'danger-fg': ['danger'],
  'danger-text': ['surface', 'surface-2', 'danger-soft'],
  'warn-fg': ['warn-bg'],
  'toast-fg': ['toast'],
  'toast-accent': ['toast'],
};

describe('theme contrast (WCAG AA)', () => {
  const lightAt = rootBlock(0);
  const darkRootAt = rootBlock(darkAt);
  const light = palette(lightAt);
  const dark = palette(darkRootAt);

  it('finds the light palette first and the dark one inside the dark colour-scheme query', () => {
    assert.ok(darkAt >= 0, `tokens.css has ${darkQuery}`);
    assert.ok(lightAt >= 0 && lightAt < darkAt, 'the light :root comes before the dark query');
    assert.match(css.slice(darkAt + darkQuery.length, darkRootAt), /^\s*$/, 'the dark query opens on :root');
    assert.ok(light.size > 0, 'the light palette has colours');
    assert.ok(dark.size > 0, 'the dark palette has colours');
  });

  for (const [scheme, colours] of [
    ['light', light],
    ['dark', dark],
  ] as const) {
    it(`every text colour reaches 4.5:1 on its backgrounds in ${scheme}`, () => {
      const failures: string[] = [];
      for (const [text, backgrounds] of Object.entries(pairs)) {
        for (const bg of backgrounds) {
          const a = colours.get(text);
          const b = colours.get(bg);
          assert.ok(a !== undefined && b !== undefined, `--${text} and --${bg} are defined in ${scheme}`);
          const ratio = contrastRatio(a, b);
          if (ratio < 4.5) failures.push(`--${text} on --${bg}: ${ratio.toFixed(2)}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('the dark scheme overrides every colour of the light one', () => {
    assert.deepEqual([...dark.keys()].sort(), [...light.keys()].sort());
  });
});

describe('avatars', () => {
  it('carry white initials at 4.5:1 or more on every colour', () => {
    for (const colour of avatarPalette) {
      assert.ok(contrastRatio(colour, avatarText) >= 4.5, `${colour}: ${contrastRatio(colour, avatarText)}`);
    }
  });

  it('pick a stable colour from the id', () => {
    assert.equal(avatarColor('01HZX'), avatarColor('01HZX'));
    assert.ok((avatarPalette as readonly string[]).includes(avatarColor('anything')));
    const spread = new Set(Array.from({ length: 50 }, (_, i) => avatarColor(`user-${i}`)));
    assert.ok(spread.size >= 6, `50 ids use ${spread.size} colours`);
  });

  it('take one or two initials, and one character of a CJK name', () => {
    assert.equal(initials('alice'), 'A');
    assert.equal(initials('Weekend plans'), 'WP');
    assert.equal(initials('bob, carol'), 'BC');
    assert.equal(initials('  '), '?');
    assert.equal(initials('张伟'), '张');
    assert.equal(initials('😀 party'), '😀P');
  });

  it('computes WCAG contrast', () => {
    assert.equal(contrastRatio('#000000', '#ffffff').toFixed(1), '21.0');
    assert.equal(contrastRatio('#777777', '#ffffff').toFixed(2), '4.48');
  });
});
