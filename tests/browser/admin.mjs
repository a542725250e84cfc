// An admin on a phone: the accounts, tokens and audit pages at 360×640 must
// not scroll sideways nor log a console error (a CSP violation is one).
// Then two things people do: the session runs out while a new account is
// being typed (what was typed must be there again after signing back in),
// and the create button is double-clicked (one account, and the page says
// it was made).
// Usage: node admin.mjs ORIGIN COOKIE SCREENSHOT_DIR LOGIN PASSWORD   (prints TAP)
import { done, launch, ok } from './tap.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [origin, cookie, shots, login, password] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const [name, value] = cookie.split('=');
const browser = await launch();
try {
  const context = await browser.newContext({
    viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'vi-VN',
  });
  await context.addCookies([{ name, value, url: origin }]);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(origin)) errors.push('external: ' + r.url()); });

  for (const [label, path] of [['accounts', '/staff/accounts'], ['tokens', '/staff/tokens'],
                               ['audit', '/staff/audit']]) {
    const resp = await page.goto(origin + path, { waitUntil: 'load', timeout: 30000 });
    ok(resp.status() === 200, `${label}: the page opens`, resp.status());
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    ok(width <= 360, `${label}: no sideways scrolling at 360 px (content ${width} px wide)`);
    const unlabelled = await page.$$eval('input:not([type=hidden]),select',
      (xs) => xs.filter((x) => !x.labels || x.labels.length === 0).map((x) => x.id || x.name));
    ok(unlabelled.length === 0, `${label}: every field has a label`, unlabelled.join(', '));
    await page.screenshot({ path: join(shots, `admin-${label}-360.png`), fullPage: true });
  }

  // The session ends while the form is being filled: the POST goes to the
  // sign-in page.  Back at the page after signing in, the form is refilled.
  await page.goto(origin + '/staff/accounts', { waitUntil: 'load' });
  await page.fill('#tk-login', 'gv.nhap-do');
  await page.selectOption('#tk-role', 'viewer');
  await page.fill('#tk-password', 'mật khẩu đủ dài 123');
  await context.clearCookies();
  await Promise.all([page.waitForURL(/\/login\?next=/, { timeout: 30000 }),
    page.click('form[action="/staff/accounts"] button[type=submit]')]);
  ok(/Đăng nhập/.test(await page.innerText('body')), 'an expired session leads to the sign-in page');
  await page.screenshot({ path: join(shots, 'admin-login-again-360.png'), fullPage: false });
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(/\/staff\/accounts$/, { timeout: 30000 }),
    page.click('button[type=submit]')]);
  ok(true, 'signing in again leads back to the accounts page');
  ok(await page.inputValue('#tk-login') === 'gv.nhap-do' &&
     await page.inputValue('#tk-role') === 'viewer',
     'after signing in again, what was typed is back');
  ok(await page.inputValue('#tk-password') === '', 'but never the password');
  ok(await page.isVisible('.draft'), 'and the page says the form was refilled');
  await page.screenshot({ path: join(shots, 'admin-accounts-draft-360.png'), fullPage: false });

  // A double click sends the form once.
  await page.fill('#tk-password', 'mật khẩu đủ dài 123');
  await Promise.all([page.waitForURL(/created=gv\.nhap-do/, { timeout: 30000 }),
    page.dblclick('form[action="/staff/accounts"] button[type=submit]')]);
  await page.waitForLoadState('load');
  const text = await page.innerText('body');
  ok(/Đã tạo tài khoản gv\.nhap-do/.test(text), 'a double-clicked create shows the account made',
     text.slice(0, 400));
  ok(await page.inputValue('#tk-login') === '', 'and the form is empty again (the draft is gone)');
  await page.screenshot({ path: join(shots, 'admin-accounts-created-360.png'), fullPage: false });
  ok(errors.length === 0, 'no console errors, CSP violations or external requests',
     errors.join('\n'));
} finally {
  await browser.close();
}
done();
