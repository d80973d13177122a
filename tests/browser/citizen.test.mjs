// Journey: a citizen logs in, registers, changes and deletes a NemKonto.
import assert from 'node:assert/strict';
import { journey, checkFirstLoad } from './lib.mjs';

await journey('citizen', async ({ env, server, newPage, step }) => {
  const withAccount = new Set(env.nemkonti.filter((n) => n[0] === 'cpr').map((n) => n[1].replace('-', '')));
  const cpr = env.persons.find((p) => !withAccount.has(p));
  assert.ok(cpr, 'the population has a person without a NemKonto');
  const page = await newPage();
  await page.goto(`${server.url}/`);
  await page.getByLabel('Jeg er').selectOption('citizen');
  await page.getByLabel('CPR-nummer').fill(cpr);
  await page.getByRole('button', { name: 'Log ind', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Din NemKonto' }).waitFor();
  await page.getByTestId('nemkonto-none').waitFor();
  await step(page, 'no-nemkonto');

  // A wrong registration number is refused beside its field.
  await page.getByLabel('Registreringsnummer').fill('12');
  await page.getByLabel('Kontonummer').fill('1234567');
  await page.getByRole('button', { name: 'Opret NemKonto' }).click();
  assert.match(await page.locator('.form-error .form-error-message').first().textContent(),
               /Registreringsnummeret skal være 4 cifre/);
  await step(page, 'validation-error');

  await page.getByLabel('Registreringsnummer').fill('1551');
  await page.getByRole('button', { name: 'Opret NemKonto' }).click();
  await page.getByTestId('nemkonto').filter({ hasText: '1551-0001234567' }).waitFor();
  await step(page, 'registered');

  // Change: asks first; cancel changes nothing, confirm changes it.
  await page.getByLabel('Registreringsnummer').fill('9570');
  await page.getByLabel('Kontonummer').fill('555666');
  await page.getByRole('button', { name: 'Skift NemKonto' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await step(page, 'confirm-change');
  await dialog.getByRole('button', { name: 'Annuller' }).click();
  assert.equal(await page.getByTestId('nemkonto').textContent(), '1551-0001234567');
  await page.getByRole('button', { name: 'Skift NemKonto' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Skift NemKonto' }).click();
  await page.getByTestId('nemkonto').filter({ hasText: '9570-0000555666' }).waitFor();
  await step(page, 'changed');

  // Delete, with the keyboard: Tab to the button, Enter, then Enter on
  // the dialog's focused confirm button.
  await page.getByRole('button', { name: 'Slet NemKonto' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Enter');
  await page.getByTestId('nemkonto-none').waitFor();
  await step(page, 'deleted');
  // The register agrees: no NemKonto any more.
  const r = await page.evaluate(async (id) => (await fetch(`/api/v1/nemkonto/${id}`)).json(), `cpr:${cpr}`);
  assert.equal(r.nemkonto ?? null, null, JSON.stringify(r));
  await checkFirstLoad(page, `${server.url}/borger`, 'citizen');
});
