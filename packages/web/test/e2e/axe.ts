/**
 * axe-core in the page under test: the WCAG 2.0 and 2.1 A/AA rules (accessible names of buttons, links
 * and form fields, contrast, ARIA use…), with the violations written out so a failing assertion says
 * what to fix and where.
 */
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = require.resolve('axe-core/axe.min.js');

/** The conformance levels the product promises: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

/** One violating element of one rule, as much as needed to find and fix it. */
export interface Violation {
  readonly rule: string;
  readonly impact: ImpactValue | null;
  readonly help: string;
  readonly target: string;
  readonly summary: string;
  /** For color-contrast: the measured and the required ratio, and the colours. */
  readonly contrast?: string;
}

interface ContrastData {
  readonly contrastRatio?: number;
  readonly expectedContrastRatio?: string;
  readonly fgColor?: string;
  readonly bgColor?: string;
  readonly fontSize?: string;
  readonly fontWeight?: string;
}

function contrastOf(node: Result['nodes'][number]): string | undefined {
  for (const check of [...node.any, ...node.all, ...node.none]) {
    const data = check.data as ContrastData | null | undefined;
    if (data !== null && data !== undefined && typeof data.contrastRatio === 'number') {
      return (
        `${data.contrastRatio}:1 (needs ${data.expectedContrastRatio ?? '?'}), ` +
        `${data.fgColor ?? '?'} on ${data.bgColor ?? '?'}, ${data.fontSize ?? '?'} ${data.fontWeight ?? ''}`.trim()
      );
    }
  }
  return undefined;
}

function flatten(results: AxeResults): Violation[] {
  const out: Violation[] = [];
  for (const rule of results.violations) {
    for (const node of rule.nodes) {
      const contrast = rule.id === 'color-contrast' ? contrastOf(node) : undefined;
      out.push({
        rule: rule.id,
        impact: node.impact ?? rule.impact ?? null,
        help: rule.help,
        target: node.target.map(String).join(' >> '),
        summary: (node.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
        ...(contrast === undefined ? {} : { contrast }),
      });
    }
  }
  return out;
}

/** The violations as lines a reader can act on (empty string when there are none). */
export function formatViolations(violations: readonly Violation[], where = ''): string {
  return violations
    .map((v) => {
      const lines = [`${where ? `[${where}] ` : ''}${v.rule} (${v.impact ?? 'n/a'}): ${v.help}`];
      lines.push(`    at ${v.target}`);
      if (v.contrast !== undefined) lines.push(`    contrast ${v.contrast}`);
      else if (v.summary) lines.push(`    ${v.summary}`);
      return lines.join('\n');
    })
    .join('\n');
}

/**
 * Ends the page's finite CSS transitions and animations at their final state. A colour scheme switch or
 * an opening menu fades colours in; measured mid-way, contrast would be that of a frame nobody reads.
 * Endless ones (spinners) are left running.
 */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const animation of document.getAnimations()) {
      const end = animation.effect?.getComputedTiming().endTime;
      if (typeof end === 'number' && Number.isFinite(end)) animation.finish();
    }
  });
}

/**
 * Runs axe over the whole document (injecting it once per document) and returns its violations. Rules
 * that only report "needs review" are not failures here; only definite violations are.
 */
export async function axeViolations(page: Page): Promise<Violation[]> {
  await settle(page);
  const present = await page.evaluate(() => 'axe' in window);
  if (!present) await page.addScriptTag({ path: AXE_SOURCE });
  const results = await page.evaluate(
    async (tags) =>
      (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResults> } }).axe.run(
        document,
        { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
      ),
    [...WCAG_TAGS],
  );
  return flatten(results);
}
