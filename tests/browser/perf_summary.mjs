// Prints the first-load figures of the last browser-test run as the
// markdown table of BENCHMARKS.md: per page, the largest transfer and the
// median and largest time to interactive over its measured runs.
// Usage: node tests/browser/perf_summary.mjs [build/browser-artifacts]
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] || 'build/browser-artifacts';
const lines = fs.readdirSync(dir).filter((f) => /^perf-.*\.jsonl$/.test(f)).sort()
  .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
const byPage = new Map();
for (const line of lines) {
  const f = JSON.parse(line);
  if (!byPage.has(f.page)) byPage.set(f.page, { path: f.path, runs: [] });
  byPage.get(f.page).runs.push(f);
}
console.log('| page | path | transferred (KB) | to interactive, median (ms) | max (ms) | runs |');
console.log('|---|---|---:|---:|---:|---:|');
for (const [page, { path, runs }] of byPage) {
  const ready = runs.map((r) => r.ready_ms).sort((a, b) => a - b);
  const kb = (Math.max(...runs.map((r) => r.transfer_bytes)) / 1024).toFixed(1);
  console.log(`| ${page} | \`${path}\` | ${kb} | ${ready[Math.floor(ready.length / 2)]} | ${ready[ready.length - 1]} | ${runs.length} |`);
}
