// Journey: a controller downloads the month's change list.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { journey, demoLogin, nksCli, checkFirstLoad, kAuthority } from './lib.mjs';

let cpr;
await journey('controller', async ({ server, newPage, step }) => {
  const ctl = await newPage();
  await demoLogin(ctl, server.url, { role: 'employee', authority: kAuthority, user: 'ctl1' });
  await ctl.getByRole('link', { name: 'Kontrolliste' }).click();
  await ctl.getByRole('heading', { level: 1, name: 'Kontrolliste' }).waitFor();
  await ctl.getByLabel('Måned').fill('2026-13');
  await ctl.getByRole('button', { name: 'Vis' }).click();
  assert.match(await ctl.locator('.form-error-message:not([hidden])').textContent(), /ÅÅÅÅ-MM/);
  await ctl.getByLabel('Måned').fill('2026-11');
  await ctl.getByRole('button', { name: 'Vis' }).click();
  const rows = ctl.locator('tbody tr');
  await rows.first().waitFor();
  const shown = await ctl.locator('table').textContent();
  assert.ok(shown.includes(`${cpr.slice(0, 6)}-XXXX`), 'CPR masked in the list');
  assert.ok(!shown.includes(cpr), 'never the whole CPR number');
  await step(ctl, 'list');

  const [download] = await Promise.all([ctl.waitForEvent('download'), ctl.getByTestId('csv').click()]);
  assert.equal(download.suggestedFilename(), 'kontrolliste-12345678-2026-11.csv');
  const csv = fs.readFileSync(await download.path(), 'utf8');
  assert.ok(csv.includes('DOC-C1'), csv);
  assert.ok(!csv.includes(cpr) && !csv.includes(`${cpr.slice(0, 6)}-${cpr.slice(6)}`), 'CPR masked in the CSV');

  // The PDF: the same list, as the server renders it.
  const pdf = await ctl.evaluate(async (href) => {
    const r = await fetch(href);
    return { status: r.status, type: r.headers.get('content-type'), head: (await r.text()).slice(0, 5) };
  }, await ctl.getByTestId('pdf').getAttribute('href'));
  assert.equal(pdf.status, 200);
  assert.equal(pdf.type, 'application/pdf');
  assert.equal(pdf.head, '%PDF-');
  const [pdfDownload] = await Promise.all([ctl.waitForEvent('download'), ctl.getByTestId('pdf').click()]);
  assert.equal(pdfDownload.suggestedFilename(), 'kontrolliste-12345678-2026-11.pdf');
  assert.equal(fs.readFileSync(await pdfDownload.path()).subarray(0, 5).toString(), '%PDF-');
  await checkFirstLoad(ctl, `${server.url}/kontrol`, 'controller');
}, {
  prepare: (env) => {
    cpr = env.persons[5];
    nksCli(env.data, '--clock', '2026-11-10T10:00:00+01:00', 'nemkonto', 'set', `cpr:${cpr}`, '9570-0000123123',
           '--channel', 'authority', '--authority', String(kAuthority), '--user', 'cw1', '--reference', 'DOC-C1');
  },
});
