// A parent on a cheap phone: open the form at 360×640, answer by tapping the
// labels, send, and see "Cảm ơn".  Then the same with the network cut while
// sending: the answers stay on the phone and go out when it returns.
// Usage: node survey.mjs FORM_URL SCREENSHOT_DIR   (prints TAP)
import { done, launch, ok } from './tap.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await launch();
try {
  const context = await browser.newContext({
    viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'vi-VN',
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(new URL(url).origin)) external.push(r.url()); });

  const resp = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  ok(resp.status() === 200, 'the form opens');
  await page.screenshot({ path: join(shots, 'survey-form-360.png'), fullPage: false });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  ok(width <= 360, `no sideways scrolling at 360 px (content ${width} px wide)`);
  const small = await page.$$eval('label', (ls) => ls.filter((l) => l.getBoundingClientRect().height < 44).length);
  ok(small === 0, `every answer is a tap target of at least 44 px (${small} smaller)`);

  // Tap the "Hài lòng" label of every question, by its text, as a parent would.
  const fieldsets = await page.$$('fieldset');
  let tapped = 0;
  for (const fs of fieldsets) {
    const label = await fs.$('label:has-text("Hài lòng"):not(:has-text("Không"))');
    if (label) { await label.tap(); tapped++; }
  }
  ok(tapped >= 10, `tapped an answer in ${tapped} questions`);
  const checked = await page.$$eval('input[type=radio]:checked', (xs) => xs.length);
  ok(checked === tapped, 'tapping a label checks its answer');
  await page.fill('textarea', 'Cảm ơn thầy cô đã tận tâm.');
  await page.screenshot({ path: join(shots, 'survey-filled-360.png'), fullPage: true });
  await Promise.all([page.waitForFunction(() => /Cảm ơn/.test(document.body.innerText), null, { timeout: 30000 }),
    page.tap('button[type=submit]')]);
  const text = await page.innerText('body');
  ok(/Cảm ơn Ông\/Bà/.test(text), 'after sending, the parent sees "Cảm ơn"');
  ok(/[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/.test(text), 'with a receipt code');
  await page.screenshot({ path: join(shots, 'survey-thanks-360.png'), fullPage: false });
  ok(errors.length === 0, 'no script errors and no CSP violations', errors.join('\n'));
  ok(external.length === 0, 'no request leaves the server', external.join('\n'));

  // The narrowest phones: 320 px.
  const narrow = await browser.newContext({ viewport: { width: 320, height: 568 }, isMobile: true, hasTouch: true });
  const page3 = await narrow.newPage();
  await page3.goto(url, { waitUntil: 'load' });
  const width320 = await page3.evaluate(() => document.documentElement.scrollWidth);
  ok(width320 <= 320, `readable at 320 px without sideways scrolling (content ${width320} px wide)`);
  const small320 = await page3.$$eval('label', (ls) => ls.filter((l) => l.getBoundingClientRect().height < 44).length);
  ok(small320 === 0, 'every answer is still at least 44 px tall at 320 px');
  await page3.screenshot({ path: join(shots, 'survey-form-320.png') });
  await narrow.close();

  // Offline while sending: the draft stays and goes out when the network is back.
  const page2 = await context.newPage();
  await page2.goto(url, { waitUntil: 'load' });
  for (const fs of await page2.$$('fieldset')) {
    const label = await fs.$('label:has-text("Rất hài lòng")');
    if (label) await label.tap();
  }
  await context.setOffline(true);
  await page2.tap('button[type=submit]');
  await page2.waitForFunction(() => /Mất kết nối/.test(document.body.innerText), null, { timeout: 15000 });
  ok(true, 'offline: the page says the answers are kept and will be resent');
  const draft = await page2.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hl:')).length);
  ok(draft === 1, 'offline: the answers are kept as a draft on the phone');
  await page2.screenshot({ path: join(shots, 'survey-offline-360.png'), fullPage: false });
  await context.setOffline(false);
  await page2.waitForFunction(() => /Cảm ơn/.test(document.body.innerText), null, { timeout: 30000 });
  ok(true, 'back online: the answers go out by themselves and the parent sees "Cảm ơn"');
  const left = await page2.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hl:')).length);
  ok(left === 0, 'the draft is removed only after the server confirmed');
} catch (e) {
  ok(false, 'browser test ran to the end', e.stack || e);
} finally {
  await browser.close();
}
done();
