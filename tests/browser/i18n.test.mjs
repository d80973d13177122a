// The dictionaries (no browser needed): Danish and English have the same
// keys, no key is written twice in one of them (a later one would silently
// win), and every t('key') the pages use exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const src = path.join(process.env.NKS_SOURCE_DIR || '.', 'web', 'src');
const { da, en } = await import(path.join(src, 'i18n.js'));

test('Danish and English have the same keys', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(da).sort());
});

test('no key is written twice in a dictionary', () => {
  const text = fs.readFileSync(path.join(src, 'i18n.js'), 'utf8');
  const [daText, enText] = text.split('export const en');
  for (const [name, part] of [['da', daText], ['en', enText]]) {
    const keys = [...part.matchAll(/^\s+'([a-zA-Z0-9_.]+)':/gm)].map((m) => m[1]);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    assert.deepEqual(twice, [], `${name}: written twice`);
  }
});

test("every t('key') used exists", () => {
  for (const f of ['app.js', 'pages.js', 'ui.js']) {
    const text = fs.readFileSync(path.join(src, f), 'utf8');
    for (const [, key] of text.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) {
      assert.ok(key in da, `${f}: t('${key}') has no Danish text`);
    }
  }
});
