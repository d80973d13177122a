// The browser tests' harness: a fresh data directory made by the real `nks`
// (gen population, import, config apply), a real `nks serve` on a free
// loopback port, Debian's headless Chromium driven by playwright-core, and
// axe-core on every page. Node's test runner reports; a failed check fails
// the ctest test.
//
// Environment (set by CMakeLists.txt): NKS_BINARY, NKS_SOURCE_DIR,
// NKS_ARTIFACTS (screenshots and perf-*.jsonl go there).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.join(process.env.NKS_SOURCE_DIR || '.', 'web', 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const nksBinary = process.env.NKS_BINARY || path.resolve('build/nks');
export const artifacts = process.env.NKS_ARTIFACTS || path.resolve('build/browser-artifacts');
export const kAuthority = 12345678;
// The server's fixed clock: payments submitted "now" are still pending.
export const kClock = '2026-11-25T12:00:00+01:00';
const kServeStartMs = 15000;

function nks(data, ...args) {
  return execFileSync(nksBinary, ['--data', data, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// A data directory with a small demo population and configuration.
// `payments`: files to submit, each {count, seed, date, clock, cutoff}
// (cutoff: a time to run the cut-off at after submitting).
export function makeDataDir(name, { payments = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nks-browser-${name}-`));
  const data = path.join(dir, 'data');
  const pop = path.join(dir, 'pop');
  nks(data, 'init');
  nks(data, 'gen', 'population', '--persons', '200', '--companies', '20', '--seed', '7', '--out', pop);
  for (const f of ['cpr', 'cvr', 'units', 'nemkonti']) nks(data, 'import', f, path.join(pop, `${f}.csv`));
  nks(data, 'config', 'apply', path.join(pop, 'config.nks'));
  for (const p of payments) {
    const file = path.join(dir, `payments-${p.seed}.xml`);
    nks(data, 'gen', 'payments', '--count', String(p.count), '--seed', String(p.seed), '--population', pop,
        '--out', file, '--date', p.date, '--mix', 'valid=1');
    nks(data, '--clock', p.clock, 'submit', '--system', 'SERVICEPLATFORM', file);
    if (p.cutoff) nks(data, '--clock', p.cutoff, 'cutoff');
  }
  const persons = fs.readFileSync(path.join(pop, 'cpr.csv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(',')).filter((c) => c[5] === 'active').map((c) => c[0].replace('-', ''));
  const nemkonti = fs.readFileSync(path.join(pop, 'nemkonti.csv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(','));
  return { dir, data, pop, persons, nemkonti };
}

// Removes a data directory made by makeDataDir.
export function removeDataDir(env) {
  if (env) fs.rmSync(env.dir, { recursive: true, force: true });
}

export function serveSupportsDemo() {
  try {
    return execFileSync(nksBinary, ['serve', '--help'], { encoding: 'utf8' }).includes('--demo');
  } catch (e) {
    return false;
  }
}

// Starts `nks serve` (with --demo when this build has it) on a free port.
export async function startServer(data, clock = kClock) {
  const args = ['--data', data, '--clock', clock, 'serve', '--listen', '127.0.0.1:0', '--access-log',
                path.join(data, 'access.log')];
  if (serveSupportsDemo()) args.push('--demo');
  const proc = spawn(nksBinary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nks serve did not start: ${stderr}`)), kServeStartMs);
    proc.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = /port (\d+)/.exec(stderr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nks serve exited ${code}: ${stderr}`)); });
  });
  return { proc, port, url: `http://127.0.0.1:${port}`, stop: () => stopProcess(proc) };
}

function stopProcess(proc) {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => { proc.on('exit', resolve); proc.kill('SIGTERM'); });
}

// Debian's Chromium, headless; never a downloaded one. Every context is
// its own browser with a fresh --user-data-dir (playwright takes it as the
// persistent context's directory): its own cookies and an empty cache.
const kChromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                       '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
export async function launch() {
  const open = [];
  const newContext = async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'nks-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, args: kChromiumArgs, acceptDownloads: true,
    });
    open.push({ context, profile });
    return context;
  };
  return {
    newContext,
    newPage: async () => {
      const context = await newContext();
      return context.pages()[0] || context.newPage();
    },
    close: async () => {
      for (const { context, profile } of open) {
        await context.close();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

// Runs axe-core on the page; fails on any serious or critical violation.
export async function checkAxe(page, where) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(axeSource);  // evaluated by the test, not loaded by the page: the CSP stays strict
  }
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
    throw new Error(`axe on ${where}: ${bad.length} serious/critical violations\n  ${text.join('\n  ')}`);
  }
  return result;
}

export async function screenshot(page, journey, step) {
  const dir = path.join(artifacts, journey);
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${step}.png`), fullPage: true });
}

// The first load of `url` with an empty cache: what the browser transferred
// and when the app was interactive (its 'portal-ready' mark: the session
// is known and the page drawn). The browser process is warmed up by one
// load first, then its cache (and, when logged out, its cookies) is
// cleared before each of `runs` measured loads; the median is the figure
// (the machine is shared), and every run is written to perf.jsonl.
// This test file's figures: artifacts/perf-<file>.jsonl, started anew by
// each run of the file.
const perfFile = path.join(artifacts, `perf-${path.basename(process.argv[1] || 'x', '.test.mjs')}.jsonl`);
let perfStarted = false;
function recordPerf(figure) {
  fs.mkdirSync(artifacts, { recursive: true });
  if (!perfStarted) fs.writeFileSync(perfFile, '');
  perfStarted = true;
  fs.appendFileSync(perfFile, `${JSON.stringify(figure)}\n`);
}

async function measureLoads(page, url, name, { runs, clearCookies }) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let bytes = 0;
  const count = (e) => { bytes += e.encodedDataLength; };
  cdp.on('Network.loadingFinished', count);
  const load = async () => {
    await cdp.send('Network.clearBrowserCache');
    if (clearCookies) await cdp.send('Network.clearBrowserCookies');
    await page.goto('about:blank');
    bytes = 0;
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    await page.evaluate(() => document.fonts.ready);
    await page.waitForLoadState('networkidle');
    const timing = await page.evaluate(() => {
      const mark = performance.getEntriesByName('portal-ready')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      return { ready_ms: mark ? Math.round(mark.startTime) : null,
               dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd) };
    });
    return { page: name, path: new URL(url).pathname, transfer_bytes: bytes, ...timing };
  };
  await load();  // warm-up
  const figures = [];
  for (let i = 0; i < runs; i++) {
    const f = await load();
    figures.push(f);
    recordPerf({ ...f, run: i + 1 });
  }
  cdp.off('Network.loadingFinished', count);
  await cdp.detach();
  const median = (key) => figures.map((f) => f[key]).sort((a, b) => a - b)[Math.floor(runs / 2)];
  return { page: name, transfer_bytes: Math.max(...figures.map((f) => f.transfer_bytes)),
           ready_ms: median('ready_ms'), ready_ms_max: Math.max(...figures.map((f) => f.ready_ms)) };
}

// A logged-out first load, in a browser of its own.
export async function measureFirstLoad(chrome, url, name, runs = 5) {
  const context = await chrome.newContext();
  const page = context.pages()[0] || await context.newPage();
  const m = await measureLoads(page, url, name, { runs, clearCookies: true });
  await page.close();
  return m;
}

// A logged-in page's first load (empty cache, the session kept), checked
// against the budget. Leaves `page` on `url`.
export async function checkFirstLoad(page, url, name, runs = 3) {
  const m = await measureLoads(page, url, name, { runs, clearCookies: false });
  console.log(`first load ${JSON.stringify(m)}`);
  if (m.transfer_bytes >= kTransferBytesMax) throw new Error(`${name}: ${m.transfer_bytes} bytes on first load`);
  if (m.ready_ms === null || m.ready_ms >= kReadyMsMax) throw new Error(`${name}: median ${m.ready_ms} ms to interactive`);
  return m;
}

export const kTransferBytesMax = 200 * 1024;
export const kReadyMsMax = 300;

// Logs in through the portal's demo login form.
export async function demoLogin(page, base, who) {
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await page.getByLabel(/Jeg er|I am/).selectOption(who.role);
  if (who.role === 'citizen') await page.getByLabel(/CPR-nummer|CPR number/).fill(who.cpr);
  if (who.role === 'company') await page.getByRole('textbox', { name: /^(CVR-nummer|CVR number)$/ }).fill(who.cvr);
  if (who.role === 'employee') {
    await page.getByLabel(/Myndighed|Authority/).fill(String(who.authority));
    await page.getByLabel(/Bruger-id|User id/).fill(who.user);
  }
  await page.getByRole('button', { name: /^Log ind$|^Log in$/ }).click();
  await page.locator('h1').filter({ hasNotText: /Log ind|Log in/ }).waitFor();
}

// True when this server has the demo login (POST /auth/demo); the journeys
// that need a login are skipped (exit 77, ctest SKIP) until it does.
export async function hasDemoLogin(base) {
  if (!serveSupportsDemo()) return false;
  return (await fetch(`${base}/auth/session`)).status !== 404;
}
export const kSkip = 77;

// One journey: a fresh data dir and server, a browser, and a function
// given {env, server, browser, newPage(), step(page, name)}. step()
// checks axe on the page and saves a screenshot. Exits 77 (ctest SKIP)
// when the server has no demo login or `needs(server)` says the API lacks
// what the journey uses, saying why.
export async function journey(name, fn, { payments = [], needs, prepare, clock = kClock } = {}) {
  const { test, before, after } = await import('node:test');
  let env, server, chrome, skip = null, passed = false;
  before(async () => {
    env = makeDataDir(name, { payments });
    if (prepare) prepare(env);
    server = await startServer(env.data, clock);
    if (!(await hasDemoLogin(server.url))) skip = 'nks serve has no demo login (POST /auth/demo) in this build';
    else if (needs) skip = await needs(server);
    if (!skip) chrome = await launch();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
    if (passed || skip) removeDataDir(env);  // kept after a failure, to look at
    if (skip) {
      console.log(`SKIP ${name}: ${skip}`);
      process.exitCode = kSkip;
    }
  });
  test(name, async (t) => {
    if (skip) return t.skip(skip);
    let n = 0;
    const ctx = {
      env, server, chrome, newPage: chrome.newPage,
      step: async (page, label) => {
        await page.waitForLoadState('networkidle');
        await checkAxe(page, `${name}: ${label}`);
        await screenshot(page, name, `${String(++n).padStart(2, '0')}-${label}`);
      },
    };
    await fn(ctx);
    passed = true;
  });
}

// The activation code in the newest letter of the outbox (pdftotext).
export function newestLetterCode(data) {
  const dir = path.join(data, 'outbox', 'letters');
  const pdfs = fs.readdirSync(dir).filter((f) => f.endsWith('.pdf'))
    .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
  if (!pdfs.length) throw new Error(`no letter in ${dir}`);
  const text = execFileSync('pdftotext', [path.join(dir, pdfs[0].f), '-'], { encoding: 'utf8' });
  const m = /aktiveringskode er: (\d{4}) (\d{4})/.exec(text);
  if (!m) throw new Error(`no activation code in ${pdfs[0].f}`);
  return m[1] + m[2];
}

export function nksCli(data, ...args) { return nks(data, ...args); }
