// The portal without a login: `nks serve` serves it with the right
// headers, the login page passes axe, the language switches, the keyboard
// reaches everything, and the first load is small and fast.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import {
  makeDataDir, removeDataDir, startServer, launch, checkAxe, screenshot, measureFirstLoad, kTransferBytesMax, kReadyMsMax,
} from './lib.mjs';

let server, chrome, env;
before(async () => {
  env = makeDataDir('public');
  server = await startServer(env.data);
  chrome = await launch();
});
after(async () => {
  await chrome?.close();
  await server?.stop();
  removeDataDir(env);
});

test('nks serve serves the portal with its security headers, ETag and gzip', async () => {
  for (const p of ['/', '/borger', '/sagsbehandler/betalinger']) {
    const r = await fetch(server.url + p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.match(await r.text(), /<script type="module" src="\/assets\/app.js">/);
  }
  const css = await fetch(`${server.url}/assets/dkfds.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  const etag = css.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const again = await fetch(`${server.url}/assets/dkfds.css`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const font = await fetch(`${server.url}/assets/fonts/IBMPlexSans-Regular-Latin1.woff2`);
  assert.equal(font.headers.get('content-type'), 'font/woff2');
  assert.equal((await fetch(`${server.url}/assets/nothing.js`)).status, 404);
  // The API is still the API.
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  const api = await fetch(`${server.url}/api/v1/nothing`);
  assert.equal(api.status, 404);
  assert.match(api.headers.get('content-type'), /problem\+json/);
});

test('gzip is sent to clients that accept it, and is the same file', async () => {
  const http = await import('node:http');
  const body = await new Promise((resolve, reject) => {
    http.get(`${server.url}/assets/dkfds.css`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      assert.equal(res.headers['content-encoding'], 'gzip');
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
  const plain = Buffer.from(await (await fetch(`${server.url}/assets/dkfds.css`, { headers: { 'Accept-Encoding': 'identity' } })).arrayBuffer());
  assert.ok(body.length < plain.length / 3);
  assert.ok(zlib.gunzipSync(body).equals(plain));
});

test('the login page is Danish, passes axe, and switches to English and back', async () => {
  const page = await chrome.newPage();
  const cspErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') cspErrors.push(m.text()); });
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  assert.equal(await page.getAttribute('html', 'lang'), 'da');
  assert.equal(await page.locator('h1').textContent(), 'Log ind på NemKonto');
  await checkAxe(page, 'login (da)');
  await screenshot(page, 'public', '01-login-da');
  await page.getByTestId('lang').click();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('h1').textContent(), 'Log in to NemKonto');
  await checkAxe(page, 'login (en)');
  await screenshot(page, 'public', '02-login-en');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');
  await page.getByTestId('lang').click();
  assert.equal(await page.getAttribute('html', 'lang'), 'da');
  // Validation beside the field, in plain Danish.
  await page.getByLabel('CPR-nummer').fill('12345');
  await page.getByRole('button', { name: 'Log ind', exact: true }).click();
  const error = page.locator('.form-error .form-error-message');
  assert.match(await error.textContent(), /CPR-nummeret skal være 10 cifre/);
  assert.equal(await page.getByLabel('CPR-nummer').getAttribute('aria-invalid'), 'true');
  await checkAxe(page, 'login with a validation error');
  await screenshot(page, 'public', '03-login-error');
  assert.deepEqual(cspErrors.filter((e) => /Content Security Policy/.test(e)), []);
  await page.close();
});

test('the keyboard reaches the skip link, the menu, the language switch and the form', async () => {
  const page = await chrome.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skipnav');
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => {
      const e = document.activeElement;
      return e.getAttribute('data-testid') || e.getAttribute('name') || e.textContent.trim();
    }));
  }
  assert.ok(seen.includes('lang'), seen.join(' | '));
  assert.ok(seen.includes('role'), seen.join(' | '));
  assert.ok(seen.includes('cpr'), seen.join(' | '));
  // Submit from the keyboard: Enter in the field.
  await page.getByLabel('CPR-nummer').focus();
  await page.keyboard.type('99');
  await page.keyboard.press('Enter');
  await page.locator('.form-error-message:not([hidden])').first().waitFor();
  await page.close();
});

test('an unknown path shows the not-found page', async () => {
  const page = await chrome.newPage();
  await page.goto(`${server.url}/findes-ikke`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  assert.equal(await page.locator('h1').textContent(), 'Siden findes ikke');
  await checkAxe(page, 'not found');
  await page.close();
});

test('first load: under 200 KB transferred and under 300 ms to interactive', async () => {
  for (const [name, p] of [['login', '/'], ['not found', '/findes-ikke']]) {
    const m = await measureFirstLoad(chrome, server.url + p, name);
    console.log(`first load ${JSON.stringify(m)}`);
    assert.ok(m.transfer_bytes < kTransferBytesMax, `${name}: ${m.transfer_bytes} bytes`);
    assert.ok(m.ready_ms !== null && m.ready_ms < kReadyMsMax, `${name}: median ${m.ready_ms} ms`);
  }
});
