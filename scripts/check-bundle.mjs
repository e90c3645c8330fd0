// Bundle budget of the web client: the JS and CSS the chat page loads before it can show anything, gzipped,
// must stay under 200 KB. "Loads initially" is what dist/index.html names (scripts, stylesheets, module
// preloads) plus everything those files import statically — from Vite's manifest (dist/.vite/manifest.json)
// when the build writes one, and from the files' own `import … from "…"` statements either way. Chunks
// loaded with import() (the admin dashboard) are not counted.
//
//   node scripts/check-bundle.mjs [distDir]      (default packages/web/dist)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 200 * 1024;

const here = dirname(fileURLToPath(import.meta.url));

/** Paths (relative to dist, posix) of the JS and CSS files the page at dist/index.html loads initially. */
export function initialFiles(distDir) {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const queue = [];
  const local = (url) => {
    if (/^[a-z]+:|^\/\//i.test(url)) return null; // another origin: not ours to count
    return posix.normalize(url.replace(/^\.?\//, '').split(/[?#]/)[0]);
  };
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1];
    if (/^<script/i.test(tag)) {
      const src = attr('src');
      if (src) queue.push(local(src));
    } else {
      const rel = (attr('rel') ?? '').toLowerCase().split(/\s+/);
      const href = attr('href');
      if (href && (rel.includes('stylesheet') || rel.includes('modulepreload'))) queue.push(local(href));
    }
  }

  const manifestPath = join(distDir, '.vite/manifest.json');
  const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
  if (manifest) {
    // Entries of the HTML page, and every chunk reached through `imports` (static), never `dynamicImports`.
    const seen = new Set();
    const visit = (key) => {
      if (seen.has(key) || !manifest[key]) return;
      seen.add(key);
      const chunk = manifest[key];
      queue.push(chunk.file, ...(chunk.css ?? []));
      for (const next of chunk.imports ?? []) visit(next);
    };
    for (const [key, chunk] of Object.entries(manifest))
      if (chunk.isEntry && key.endsWith('.html')) visit(key);
  }

  const files = new Set();
  while (queue.length > 0) {
    const file = queue.shift();
    if (!file || files.has(file) || !/\.(m?js|css)$/.test(file)) continue;
    const path = join(distDir, file);
    if (!existsSync(path))
      throw new Error(`index.html or the manifest names ${file}, missing from ${distDir}`);
    files.add(file);
    if (!/\.m?js$/.test(file)) continue;
    // Static imports in minified output: `import{a as b}from"./x.js"`, `import"./y.css"`, `export*from"./z.js"`.
    // import("…") (dynamic, lazily loaded) has a parenthesis and is skipped.
    const code = readFileSync(path, 'utf8');
    const statics = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"']+)["']/g;
    for (const match of code.matchAll(statics)) {
      const spec = match[1];
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
      queue.push(spec.startsWith('/') ? local(spec) : posix.normalize(posix.join(posix.dirname(file), spec)));
    }
  }
  return [...files].sort();
}

/** Gzipped size of each initially loaded file and the total. */
export function measure(distDir) {
  const files = initialFiles(distDir).map((file) => {
    const bytes = readFileSync(join(distDir, file));
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, total: files.reduce((sum, f) => sum + f.gzip, 0) };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const distDir = resolve(process.argv[2] ?? join(here, '../packages/web/dist'));
  if (!existsSync(join(distDir, 'index.html'))) {
    console.error(
      `check-bundle: no ${relative(process.cwd(), join(distDir, 'index.html'))}; build the web client first`,
    );
    process.exit(1);
  }
  const { files, total } = measure(distDir);
  for (const f of files)
    console.log(`  ${f.file.padEnd(48)} ${kb(f.raw).padStart(10)} ${kb(f.gzip).padStart(10)} gzip`);
  const verdict = total <= BUDGET_BYTES ? 'within' : 'OVER';
  console.log(`check-bundle: initial JS+CSS ${kb(total)} gzipped, ${verdict} the ${kb(BUDGET_BYTES)} budget`);
  if (total > BUDGET_BYTES) process.exit(1);
}
