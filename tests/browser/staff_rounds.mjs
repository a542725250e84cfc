// A school's staff member on a phone: sign in at 360×640, read the start
// page, make a round through the form (a wrong date first, then a double
// click on the button), and lose the session while typing: what was typed
// is still there after signing in again.  No sideways scrolling anywhere.
// Usage: node staff_rounds.mjs BASE_URL LOGIN PASSWORD SCREENSHOT_DIR   (prints TAP)
import { done, launch, ok } from './tap.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, login, password, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await launch();

const width = (page) => page.evaluate(() => document.documentElement.scrollWidth);
const fits = async (page, what, name) => {
  const w = await width(page);
  ok(w <= 360, `${what}: no sideways scrolling at 360 px (content ${w} px wide)`);
  await page.screenshot({ path: join(shots, `${name}-360.png`), fullPage: true });
};
// Signs in on the sign-in page (opened first unless already there); lands on `to`.
const signIn = async (page, to = '/staff', open = true) => {
  if (open) await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${base}${to}`, { timeout: 30000 }), page.click('button[type=submit]')]);
};

try {
  const context = await browser.newContext({
    viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'vi-VN',
  });
  const page = await context.newPage();
  const errors = [];
  // The form sent back with its errors is a 422 page, on purpose.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 422/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });

  await signIn(page);
  ok(/Xin chào/.test(await page.innerText('body')), 'signed in: the start page');
  await fits(page, 'the start page', 'staff-dashboard');

  await page.click('a[href="/staff/rounds/new"]');
  await page.waitForURL(`${base}/staff/rounds/new`);
  await fits(page, 'the new-round form', 'staff-round-new');
  await page.fill('#f-title', 'Họp phụ huynh qua trình duyệt');
  await page.selectOption('#f-unit', { index: 1 });
  await page.selectOption('#f-form', { index: 1 });
  await page.fill('#f-opens_date', '31/02/2026');
  await page.fill('#f-target', '35');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const summary = await page.$('#loi');
  ok(summary && /không có trên lịch/.test(await summary.innerText()),
    'a date that does not exist: the error summary says so in Vietnamese');
  ok(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'loi',
    'the error summary has the focus');
  ok(await page.inputValue('#f-title') === 'Họp phụ huynh qua trình duyệt', 'the typed title is kept');
  await fits(page, 'the form with errors', 'staff-round-errors');
  await page.click('#loi a[href="#f-opens_date"]');
  ok(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'f-opens_date',
    'the summary link moves the focus to the field');
  await page.fill('#f-opens_date', '01/01/2026');
  await page.fill('#f-closes_date', '31/12/2099');
  // Two quick clicks: the second must not make another round.
  await Promise.all([page.waitForURL(/\/staff\/rounds\/[2-9A-HJKMNP-Z]{6}\?saved=new$/, { timeout: 30000 }),
    page.dblclick('button[type=submit]')]);
  ok(/Đã tạo đợt khảo sát/.test(await page.innerText('body')), 'the round is made: its page says so');
  await fits(page, "the new round's page", 'staff-round-made');

  // The session runs out while typing a second round.
  await page.goto(`${base}/staff/rounds/new`, { waitUntil: 'load' });
  await page.fill('#f-title', 'Đợt nhập dở khi hết phiên');
  await page.fill('#f-target', '77');
  await context.clearCookies();
  await Promise.all([page.waitForURL(`${base}/login?next=/staff/rounds/new`),
    page.click('button[type=submit]')]);
  ok(true, 'with the session gone, sending leads to the sign-in page');
  await signIn(page, '/staff/rounds/new', false);
  ok(true, 'signing in again leads back to the form');
  ok(await page.inputValue('#f-title') === 'Đợt nhập dở khi hết phiên' &&
     await page.inputValue('#f-target') === '77', 'and the form holds what was typed');
  ok(await page.isVisible('#draft-note'), 'and says it was filled again');
  await fits(page, 'the refilled form', 'staff-round-restored');

  await page.goto(`${base}/staff/rounds`, { waitUntil: 'load' });
  await fits(page, 'the round list', 'staff-rounds');
  ok(errors.length === 0, 'no script errors and no CSP violations', errors.join('\n'));
  ok(external.length === 0, 'no request leaves the server', external.join('\n'));
} catch (e) {
  ok(false, 'the walk-through ran to the end', e.stack);
} finally {
  await browser.close();
}
done();
