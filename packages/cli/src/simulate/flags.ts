import { readFileSync } from 'node:fs';
import { ParamsError } from './params.js';

/**
 * Flags as commander hands them over (strings), turned into a parameter layer. A value that does not
 * parse is passed on as it was, so that validation names it with the others.
 */
export interface SimulateFlags {
  readonly params?: string;
  readonly [flag: string]: unknown;
}

const number = (v: string): number | string =>
  v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
const list = (v: string): (number | string)[] => v.split(',').map((x) => number(x.trim()));
const range = (v: string): (number | string)[] | string => {
  const m = /^\s*([0-9.]+)\s*(?:-|\.\.)\s*([0-9.]+)\s*$/.exec(v);
  return m ? [number(m[1]!), number(m[2]!)] : v;
};
function followUps(v: string): Record<string, number | string> | string {
  const out: Record<string, number | string> = {};
  for (const part of v.split(',')) {
    const [key, val] = part.split('=');
    if (!key || val === undefined) return v;
    out[key.trim()] = number(val);
  }
  return out;
}

/** commander's camelCase option name → parameter name and parser. */
const parsers: Record<string, [string, (v: string) => unknown]> = {
  seed: ['seed', number],
  users: ['users', number],
  groupShare: ['groupShare', number],
  groupSize: ['groupSize', range],
  activeShare: ['activeShare', number],
  messagesPerUser: ['messagesPerUser', number],
  wsShare: ['wsShare', number],
  hourly: ['hourly', list],
  peakHours: ['peakHours', (v) => (v.trim() === '' || v === 'none' ? [] : list(v))],
  peakBoost: ['peakBoost', number],
  attemptShare: ['attemptShare', number],
  repeatShare: ['repeatShare', number],
  maxAttempts: ['maxAttempts', number],
  lateShare: ['lateShare', number],
  withinDelay: ['withinDelay', range],
  lateDelay: ['lateDelay', range],
  followUps: ['followUps', followUps],
  followUpDelay: ['followUpDelay', range],
  followUpSeconds: ['followUpSeconds', number],
  date: ['date', (v) => v],
  tz: ['tz', (v) => v],
  hours: ['hours', range],
  duration: ['duration', number],
  concurrency: ['concurrency', number],
  maxTime: ['maxTime', number],
  canary: ['canary', (v) => v],
};

export function flagLayer(flags: SimulateFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [option, [key, parse]] of Object.entries(parsers)) {
    const raw = flags[option];
    if (typeof raw === 'string') out[key] = parse(raw);
  }
  return out;
}

/** The `--params` JSON file: an object of parameters, same names as the JSON output's `params`. */
export function fileLayer(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ParamsError([`--params ${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ParamsError([`--params ${path}: must hold a JSON object of parameters`]);
  }
  return parsed as Record<string, unknown>;
}
