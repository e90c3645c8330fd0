/** Durations as people type them: `90`, `90s`, `10m`, `1.5h`, `2d` → whole seconds. */
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) throw new Error(`'${text}' is not a duration: a number with s, m, h or d (e.g. 10m)`);
  const seconds = Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()]!;
  if (!Number.isInteger(seconds)) throw new Error(`'${text}' is not a whole number of seconds`);
  return seconds;
}

/** The shortest exact way to say a number of seconds: `2 min`, `1 h 30 min`, `45 s`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0 s';
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}
