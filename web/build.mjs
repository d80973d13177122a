// Makes web/dist/ from web/src/ and the dkfds package (run by build.sh).
// DKFDS's CSS names every IBM Plex Sans weight in four formats and ~150
// icons; we keep only the Latin-1 woff2 subset of each weight it declares
// (Danish needs no more, and it is a third of the full font) and copy the
// icons its rules use, so the first page stays well under 200 KB.
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const dkfds = path.join(here, 'node_modules/dkfds/dist');
const dist = path.join(here, 'dist');
const assets = path.join(dist, 'assets');

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(path.join(assets, 'fonts'), { recursive: true });
fs.mkdirSync(path.join(assets, 'icons'), { recursive: true });

let css = fs.readFileSync(path.join(dkfds, 'css/dkfds.min.css'), 'utf8');
css = css.replace(/\/\*# sourceMappingURL=[^*]*\*\//g, '');
// Each @font-face: its woff2 file name -> the Latin-1 split file.
css = css.replace(/@font-face\{([^}]*)\}/g, (rule, body) => {
  const m = /complete\/woff2\/IBMPlexSans-([A-Za-z]+)\.woff2/.exec(body);
  if (!m) {
    if (/url\(/.test(body)) throw new Error(`no woff2 in ${rule}`);
    return rule;  // local() fonts only
  }
  const file = `IBMPlexSans-${m[1]}-Latin1.woff2`;
  fs.copyFileSync(path.join(dkfds, 'fonts/IBMPlexSans/split/woff2', file), path.join(assets, 'fonts', file));
  const src = `src:url(fonts/${file}) format("woff2")`;
  return `@font-face{${body.replace(/src:[^;}]*/, src)}}`;
});
css = css.replace(/url\(\.\.\/img\/svg-icons\/([a-z0-9-]+\.svg)\)/g, (_, file) => {
  fs.copyFileSync(path.join(dkfds, 'img/svg-icons', file), path.join(assets, 'icons', file));
  return `url(icons/${file})`;
});
css = css.replace(/url\(\.\.\/img\/([a-z0-9_-]+\.(?:png|svg))\)/g, (_, file) => {
  fs.copyFileSync(path.join(dkfds, 'img', file), path.join(assets, file));
  return `url(${file})`;
});
const left = css.match(/url\((?!data:|fonts\/|icons\/|[a-z0-9_-]+\.(png|svg)\))[^)]*\)/g);
if (left) throw new Error(`unhandled url() in dkfds.css: ${left.slice(0, 5).join(' ')}`);
fs.writeFileSync(path.join(assets, 'dkfds.css'), css);
fs.copyFileSync(path.join(dkfds, '../LICENSE.md'), path.join(assets, 'DKFDS-LICENSE.txt'));
// The icon sprite, for <use href="/assets/icons.svg#info"> (loaded only
// when a page shows an icon).
fs.copyFileSync(path.join(dkfds, 'img/all-svg-icons.svg'), path.join(assets, 'icons.svg'));

for (const f of fs.readdirSync(path.join(here, 'src'))) {
  const to = f === 'index.html' ? path.join(dist, f) : path.join(assets, f);
  fs.copyFileSync(path.join(here, 'src', f), to);
}
