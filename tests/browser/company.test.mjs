// Journey: a company logs in and views its NemKonto (companies change it
// through their bank only).
import assert from 'node:assert/strict';
import { journey, demoLogin, checkFirstLoad } from './lib.mjs';

await journey('company', async ({ env, server, newPage, step }) => {
  const [, cvr, account] = env.nemkonti.find((n) => n[0] === 'cvr' && /^\d{4}-\d{10}$/.test(n[2]));
  const page = await newPage();
  await demoLogin(page, server.url, { role: 'company', cvr });
  await page.getByRole('heading', { level: 1, name: 'Virksomhedens NemKonto' }).waitFor();
  assert.equal(await page.getByTestId('nemkonto').textContent(), account);
  assert.equal(await page.getByRole('button', { name: /NemKonto/ }).count(), 0, 'a company cannot change it here');
  await step(page, 'view');
  await page.getByTestId('lang').click();
  await page.getByRole('heading', { level: 1, name: "The company's NemKonto" }).waitFor();
  await step(page, 'view-en');
  await checkFirstLoad(page, `${server.url}/virksomhed`, 'company');
});
