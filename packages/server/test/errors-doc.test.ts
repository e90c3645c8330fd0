import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCodes, errorRegistry, type ErrorCode } from '@retract/protocol';

/** docs/errors.md documents exactly the registry: every code, its HTTP status, its close code, its meaning. */

const docPath = new URL('../../../docs/errors.md', import.meta.url);

interface Row {
  readonly code: string;
  readonly status: number;
  readonly wsClose: number | null;
  readonly meaning: string;
}

function parseTable(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) =>
    /^\|\s*Code\s*\|\s*HTTP status\s*\|\s*WebSocket close\s*\|\s*Meaning\s*\|$/.test(line.trim()),
  );
  assert.ok(
    header >= 0,
    'docs/errors.md has a table headed | Code | HTTP status | WebSocket close | Meaning |',
  );
  assert.match(
    lines[header + 1] ?? '',
    /^\|(\s*:?-+:?\s*\|){4}$/,
    'the header is followed by a separator row',
  );
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const cells = line
      .trim()
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    assert.equal(cells.length, 4, `four cells in: ${line}`);
    const [code, status, wsClose, meaning] = cells as [string, string, string, string];
    assert.match(code, /^`[a-z_]+`$/, `the code is written as code: ${line}`);
    assert.match(status, /^[0-9]{3}$/, `the HTTP status is a number: ${line}`);
    assert.match(wsClose, /^(—|[0-9]{4})$/, `the close code is a number or —: ${line}`);
    rows.push({
      code: code.slice(1, -1),
      status: Number(status),
      wsClose: wsClose === '—' ? null : Number(wsClose),
      meaning,
    });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const rows = parseTable(readFileSync(docPath, 'utf8'));

  it('lists every registry code exactly once, and nothing else', () => {
    const listed = rows.map((r) => r.code);
    assert.equal(new Set(listed).size, listed.length, 'no code is listed twice');
    assert.deepEqual([...listed].sort(), [...errorCodes].sort());
  });

  it("gives each code the registry's HTTP status, WebSocket close code and meaning", () => {
    for (const row of rows) {
      const spec = errorRegistry[row.code as ErrorCode];
      assert.equal(row.status, spec.status, `${row.code}: HTTP status`);
      const wsClose = 'wsClose' in spec ? spec.wsClose : null;
      assert.equal(row.wsClose, wsClose, `${row.code}: WebSocket close code`);
      assert.equal(row.meaning, spec.doc, `${row.code}: meaning`);
    }
  });
});
