// Journey: a caseworker finds a payment, sees which account it went to,
// and stops a pending one.
import assert from 'node:assert/strict';
import { journey, demoLogin, checkFirstLoad, kAuthority } from './lib.mjs';

await journey('payments', async ({ server, newPage, step }) => {
  const cw = await newPage();
  await demoLogin(cw, server.url, { role: 'employee', authority: kAuthority, user: 'cw1' });
  await cw.getByRole('link', { name: 'Betalinger', exact: true }).click();
  await cw.getByRole('heading', { level: 1, name: 'Søg og spor betalinger' }).waitFor();
  await cw.getByLabel('Udbetalingsdato fra').fill('30-11-2026');
  await cw.getByRole('button', { name: 'Søg' }).click();
  assert.match(await cw.locator('.form-error-message:not([hidden])').textContent(), /ÅÅÅÅ-MM-DD/);
  await cw.getByLabel('Udbetalingsdato fra').fill('');

  // A forwarded payment: where did it go?
  await cw.getByLabel('Status').selectOption('forwarded');
  await cw.getByRole('button', { name: 'Søg' }).click();
  const forwarded = cw.locator('tbody tr');
  await forwarded.first().waitFor();
  await step(cw, 'forwarded-found');
  await forwarded.first().getByRole('button', { name: 'Detaljer' }).click();
  const wentTo = cw.getByTestId('went-to');
  await wentTo.waitFor();
  assert.match(await wentTo.textContent(), /Betalingen gik til konto \S+/);
  assert.equal(await cw.getByRole('button', { name: 'Stop betaling' }).count(), 0, 'a forwarded payment cannot be stopped');
  await step(cw, 'went-to');

  // A pending one: stop it, after confirming.
  await cw.getByLabel('Status').selectOption('pending');
  await cw.getByRole('button', { name: 'Søg' }).click();
  const pending = cw.locator('tbody tr').filter({ hasText: 'Afventer' });
  await pending.first().waitFor();
  const id = (await pending.first().locator('td').first().textContent()).trim();
  await pending.first().getByRole('button', { name: 'Detaljer' }).click();
  await cw.getByRole('heading', { level: 2, name: `Betaling ${id}` }).waitFor();
  await cw.getByRole('button', { name: 'Stop betaling' }).click();
  await cw.getByRole('dialog').waitFor();
  await step(cw, 'confirm-stop');
  await cw.getByRole('dialog').getByRole('button', { name: 'Stop betaling' }).click();
  await cw.locator('#announce .alert-success').waitFor();
  await cw.locator('dd').filter({ hasText: /^Stoppet$/ }).waitFor();
  await step(cw, 'stopped');

  // The benefit types of the authority.
  await cw.getByRole('link', { name: 'Ydelsestyper' }).click();
  await cw.locator('tbody tr').filter({ hasText: 'boligstoette' }).waitFor();
  await step(cw, 'benefit-types');
  await checkFirstLoad(cw, `${server.url}/sagsbehandler/betalinger`, 'caseworker: payments');
  await checkFirstLoad(cw, `${server.url}/sagsbehandler/ydelser`, 'caseworker: benefit types');
}, {
  clock: '2026-11-27T12:00:00+01:00',
  payments: [
    { count: 8, seed: 3, date: '2026-11-30', clock: '2026-11-25T12:00:00+01:00', cutoff: '2026-11-27T06:00:00+01:00' },
    { count: 8, seed: 4, date: '2026-12-15', clock: '2026-11-27T12:00:00+01:00' },
  ],
});
