// The print sheets as a school prints them: each page opened in headless
// Chromium with a staff session, then printed to an A4 PDF (print CSS, as
// "Save as PDF" would), plus a screenshot.  Checks that nothing is fetched
// from outside and that the Content-Security-Policy blocks nothing.
// Usage: node print.mjs ORIGIN COOKIE OUT_DIR NAME=PATH …   (prints TAP)
import { done, launch, ok } from './tap.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [origin, cookie, out, ...pages] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1024, height: 1400 }, locale: 'vi-VN' });
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url: origin }]);
  for (const spec of pages) {
    const [label, path] = spec.split(/=(.*)/s);
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push('external: ' + r.url()); });
    const resp = await page.goto(origin + path, { waitUntil: 'load', timeout: 30000 });
    ok(resp.status() === 200, `${label}: the page opens`, resp.status());
    await page.screenshot({ path: join(out, `print-${label}.png`), fullPage: false });
    await page.emulateMedia({ media: 'print' });
    // The notice-board sheet clips its results area rather than spill onto
    // a second sheet: laid out at the A4 sheet's printable width (186 mm),
    // nothing of it may be clipped.
    await page.setViewportSize({ width: 703, height: 1047 });
    const fit = await page.evaluate(() => {
      const e = document.querySelector('.sheet > .nbody'), ruled = document.querySelector('.sheet > .ruled');
      return e && { over: e.scrollHeight - e.clientHeight, ruled: ruled ? ruled.clientHeight : 0 };
    });
    if (fit) {
      ok(fit.over <= 1, `${label}: the results fit the sheet, nothing clipped`, `${fit.over}px over`);
      // 40 mm is the ruled area's least height (151 px): what is above it is the spare.
      console.log(`# ${label}: ruled area ${(fit.ruled / 96 * 25.4).toFixed(1)} mm high`);
    }
    await page.pdf({ path: join(out, `${label}.pdf`), format: 'A4', printBackground: true,
                     preferCSSPageSize: true });
    ok(problems.length === 0, `${label}: no console error, CSP violation or external request`,
       problems.join('\n'));
    await page.close();
  }
} finally {
  await browser.close();
}
done();
