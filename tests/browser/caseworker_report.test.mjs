// Journey: a caseworker reports a NemKonto for a citizen on the citizen's
// written request; it stays pending until the citizen activates it with
// the code from the letter.
import assert from 'node:assert/strict';
import { journey, demoLogin, newestLetterCode, checkFirstLoad, kAuthority } from './lib.mjs';

await journey('caseworker-report', async ({ env, server, newPage, step }) => {
  const [, id, before] = env.nemkonti.find((n) => n[0] === 'cpr' && /^\d{4}-\d{10}$/.test(n[2]));
  const cpr = id.replace('-', '');
  const cw = await newPage();
  await demoLogin(cw, server.url, { role: 'employee', authority: kAuthority, user: 'cw1' });
  await cw.getByRole('link', { name: 'Indberet konto' }).click();
  await cw.getByRole('heading', { level: 1 }).filter({ hasText: 'Indberet konto' }).waitFor();
  await step(cw, 'report-form');
  const form = cw.locator('section').filter({ has: cw.getByRole('heading', { name: 'Indberet NemKonto' }) });
  await form.getByLabel('Modtager').fill(cpr);
  await form.getByLabel('Registreringsnummer').fill('9570');
  await form.getByLabel('Kontonummer').fill('7777');
  await form.getByRole('button', { name: 'Indberet NemKonto' }).click();
  assert.match(await form.locator('.form-error-message:not([hidden])').textContent(),
               /referencen til borgerens skriftlige anmodning/);
  await form.getByLabel('Reference til den skriftlige anmodning').fill('DOC-2026-117');
  await form.getByRole('button', { name: 'Indberet NemKonto' }).click();
  await cw.getByRole('dialog').getByRole('button', { name: 'Indberet NemKonto' }).click();
  await form.locator('.alert-success').waitFor();
  assert.match(await form.locator('.alert-success').textContent(), /pending-activation/);
  await step(cw, 'reported');

  // The look-up shows the pending report in the history.
  await cw.getByRole('link', { name: 'Slå modtager op' }).click();
  await cw.getByLabel('Modtager').fill(cpr);
  await cw.getByRole('button', { name: 'Slå op' }).click();
  const history = cw.locator('table').filter({ hasText: 'Historik' });
  await history.waitFor();
  assert.match(await history.textContent(), /pending/);
  assert.match(await history.textContent(), /9570-0000007777/);
  assert.ok(!(await cw.locator('main').textContent()).includes(cpr), 'the CPR number is shown masked');
  await step(cw, 'lookup');
  await checkFirstLoad(cw, `${server.url}/sagsbehandler/opslag`, 'caseworker: look-up');
  await checkFirstLoad(cw, `${server.url}/sagsbehandler/indberet`, 'caseworker: report');

  // The citizen still has the old account until activation.
  const citizen = await newPage();
  await demoLogin(citizen, server.url, { role: 'citizen', cpr });
  assert.equal(await citizen.getByTestId('nemkonto').textContent(), before);
  await step(citizen, 'pending');

  const code = newestLetterCode(env.data);
  const wrong = code === '00000000' ? '11111111' : '00000000';
  await citizen.getByLabel('Aktiveringskode').fill(wrong);
  await citizen.getByRole('button', { name: 'Aktivér' }).click();
  await citizen.locator('.form-error-message:not([hidden]), .alert-error').first().waitFor();
  await step(citizen, 'wrong-code');
  assert.equal(await citizen.getByTestId('nemkonto').textContent(), before);
  await citizen.getByLabel('Aktiveringskode').fill(code);
  await citizen.getByRole('button', { name: 'Aktivér' }).click();
  await citizen.getByTestId('nemkonto').filter({ hasText: '9570-0000007777' }).waitFor();
  await step(citizen, 'activated');
});
