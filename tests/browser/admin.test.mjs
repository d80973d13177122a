// Journey: an administrator adds a user, and the segregation-of-duties
// rule refuses a forbidden combination (users-admin with payments-stop).
import assert from 'node:assert/strict';
import { journey, demoLogin, checkFirstLoad, kAuthority } from './lib.mjs';

await journey('admin', async ({ server, newPage, step }) => {
  const admin = await newPage();
  await demoLogin(admin, server.url, { role: 'employee', authority: kAuthority, user: 'adm1' });
  await admin.getByRole('link', { name: 'Administration' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Administration: Brugere' }).waitFor();
  await admin.locator('tbody tr').filter({ hasText: 'cw1' }).waitFor();
  await step(admin, 'users');
  const form = admin.locator('form').filter({ has: admin.getByRole('button', { name: 'Tilføj bruger' }) });
  await form.getByLabel('Bruger-id').fill('ny bruger');
  await form.getByRole('button', { name: 'Tilføj bruger' }).click();
  assert.match(await form.locator('.form-error-message:not([hidden])').first().textContent(), /Bruger-id må kun/);
  await form.getByLabel('Bruger-id').fill('cw2');
  await form.getByLabel('Navn').fill('Ny Sagsbehandler');
  await form.getByLabel('Rolleprofil').fill('caseworker');
  await form.getByLabel('LOS-enhed').fill('DK');
  await form.getByRole('button', { name: 'Tilføj bruger' }).click();
  await form.locator('.alert-success').waitFor();
  await admin.locator('tbody tr').filter({ hasText: 'cw2' }).waitFor();
  await step(admin, 'user-added');

  await form.getByLabel('Bruger-id').fill('cw3');
  await form.getByLabel('Navn').fill('For Mange Roller');
  await form.getByLabel('Rolleprofil').fill('caseworker,user-admin');
  await form.getByRole('button', { name: 'Tilføj bruger' }).click();
  const refused = form.locator('.alert-error, .form-error-message:not([hidden])').first();
  await refused.waitFor();
  assert.match(await refused.textContent(), /funktionsadskillelse|segregation/i);
  await step(admin, 'segregation-refused');
  assert.equal(await admin.locator('tbody tr').filter({ hasText: 'cw3' }).count(), 0);

  // Every administration page: its table loads, axe passes, first load in budget.
  for (const [link, path, expect] of [['LOS-enheder', 'los', 'DK-BORGER'], ['Rolleprofiler', 'roller', 'caseworker'],
    ['Politik for fejlede betalinger', 'politik', 'Returnér til afsender'], ['Tilslutninger', 'tilslutninger', 'SERVICEPLATFORM']]) {
    await admin.getByRole('link', { name: link }).click();
    await admin.locator('main').filter({ hasText: expect }).waitFor();
    await step(admin, path);
    await checkFirstLoad(admin, `${server.url}/administrator/${path}`, `administrator: ${link}`);
  }
  await checkFirstLoad(admin, `${server.url}/administrator/brugere`, 'administrator: users');
});
