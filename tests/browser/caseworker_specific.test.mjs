// Journey: a caseworker creates a locked specific account that the citizen
// then cannot change.
import assert from 'node:assert/strict';
import { journey, demoLogin, kAuthority } from './lib.mjs';

await journey('caseworker-specific', async ({ env, server, newPage, step }) => {
  const cpr = env.persons[3];
  const cw = await newPage();
  await demoLogin(cw, server.url, { role: 'employee', authority: kAuthority, user: 'cw1' });
  await cw.goto(`${server.url}/sagsbehandler/indberet`);
  const form = cw.locator('section').filter({ has: cw.getByRole('heading', { name: 'Opret særlig konto' }) });
  await form.getByLabel('Modtager').fill(cpr);
  await form.getByLabel('Ydelsestype').fill('kapitalpension');
  await form.getByLabel('Registreringsnummer').fill('9570');
  await form.getByLabel('Kontonummer').fill('777888');
  await form.getByLabel('Reference til den skriftlige anmodning').fill('DOC-9');
  await form.getByLabel('Gælder til og med').fill('31-12-2027');
  await form.getByRole('button', { name: 'Opret særlig konto' }).click();
  assert.match(await form.locator('.form-error-message:not([hidden])').textContent(), /ÅÅÅÅ-MM-DD/);
  await form.getByLabel('Gælder til og med').fill('2027-12-31');
  await form.getByLabel(/Låst/).check();
  await step(cw, 'specific-form');
  await form.getByRole('button', { name: 'Opret særlig konto' }).click();
  await cw.getByRole('dialog').getByRole('button', { name: 'Opret særlig konto' }).click();
  await form.locator('.alert-success').waitFor();
  await step(cw, 'created');

  const citizen = await newPage();
  await demoLogin(citizen, server.url, { role: 'citizen', cpr });
  const row = citizen.locator('tr').filter({ hasText: 'kapitalpension' });
  await row.waitFor();
  assert.match(await row.textContent(), /9570-0000777888/);
  assert.match(await row.textContent(), /Låst af myndigheden/);
  assert.equal(await row.getByRole('button').count(), 0, 'no change or delete for a locked account');
  await step(citizen, 'locked-for-citizen');
  // Nor through the API behind the page.
  const status = await citizen.evaluate(async ({ id, authority }) => {
    const s = await (await fetch('/auth/session')).json();
    const r = await fetch(`/api/v1/nemkonto/${id}/specific-accounts/kapitalpension`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: JSON.stringify({ account: '1551-0000000001', authority }) });
    return { status: r.status, body: await r.json() };
  }, { id: `cpr:${cpr}`, authority: kAuthority });
  assert.ok(status.status === 403 || status.status === 409, `a citizen's change of a locked account: ${JSON.stringify(status)}`);
  assert.match(JSON.stringify(status.body), /lock/i);
});
