// The whole walk of a survey round in one real Chromium (issue 8, point 4):
// a school admin signs in, makes a round through the form, opens its poster;
// the poster's QR code is decoded from a screenshot of that page (zbarimg),
// and "parents" on a 360×640 phone follow exactly that link and answer;
// staff key one paper questionnaire; the aggregation runs; the report page
// must show the rates the caller computed by hand, and its XLSX link must
// download a workbook (checked by the caller).  Then an admin of another
// school must find none of it.  Every page is screenshotted, and every page
// must be free of script errors, CSP violations and requests leaving the
// server.
//
// Usage: node journey.mjs PLAN.json   (prints TAP; the plan is written by
// tests/integration/test_journey.py: base URL, accounts, answers, the
// expected figures, where screenshots and the download go)
import { done, launch, ok } from './tap.mjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { base, shots } = plan;
const STEP = 30000; // every wait is bounded: a hung page fails the step, not the run
mkdirSync(shots, { recursive: true });
// A previous run's pictures go first: steps may have been added or removed
// since, and scripts/doc-screenshots.sh must never pick up a stale one.
for (const f of readdirSync(shots)) if (/^journey-\d\d-[a-z-]+\.png$/.test(f)) unlinkSync(join(shots, f));
let shot = 0;
// Screenshots at 1× so they are small enough for docs/screenshots/.
const snap = async (page, name, fullPage = false) => {
  shot++;
  const path = join(shots, `journey-${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
};

// Watches a page for what must never happen: script errors, CSP
// violations (Chromium logs them as console errors), requests to anywhere
// but this server.  `refusals` allows the console line Chromium prints for
// a 403/404 page that the step asked for on purpose.
const problems = [];
const watch = (page, refusals = false) => {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (refusals && /status of 40[34]/.test(m.text())) return;
    problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(base + '/') && !u.startsWith('data:')) problems.push(`external: ${u}`);
  });
  page.setDefaultTimeout(STEP);
  page.setDefaultNavigationTimeout(STEP);
  return page;
};

const browser = await launch();
const staffContext = () => browser.newContext({
  viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'vi-VN',
  acceptDownloads: true,
});
const signIn = async (page, login) => {
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.fill('#login', login);
  await page.fill('#password', plan.password);
  await Promise.all([page.waitForURL(`${base}/staff`), page.click('button[type=submit]')]);
};
const text = (page) => page.innerText('body');
// Today in Việt Nam as the form wants it (dd/mm/yyyy): the round opens
// today so that it falls in this school year's report.
const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());

const result = {};
try {
  // 1. The school admin signs in and makes a round.
  const staff = await staffContext();
  const page = watch(await staff.newPage());
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  ok(await page.isVisible('#login') && await page.isVisible('#password'), 'the sign-in page asks for a login and a password');
  await snap(page, 'login');
  await page.fill('#login', plan.admin);
  await page.fill('#password', plan.password);
  await Promise.all([page.waitForURL(`${base}/staff`), page.click('button[type=submit]')]);
  ok(/Xin chào/.test(await text(page)), 'signed in: the staff start page greets the admin');
  await snap(page, 'dashboard');

  await page.click('a[href="/staff/rounds/new"]');
  await page.waitForURL(`${base}/staff/rounds/new`);
  await page.fill('#f-title', plan.title);
  await page.selectOption('#f-unit', plan.unit);
  await page.selectOption('#f-form', plan.form);
  await page.fill('#f-opens_date', today);
  await page.fill('#f-opens_time', '00:00');
  await page.fill('#f-closes_date', '31/12/2099');
  await page.fill('#f-target', String(plan.target));
  await page.check('#f-mode-both');
  if (await page.isChecked('#f-double_entry')) await page.uncheck('#f-double_entry');
  await snap(page, 'round-new');
  await Promise.all([page.waitForURL(/\/staff\/rounds\/[2-9A-HJKMNP-Z]{6}\?saved=new$/),
    page.click('button[type=submit]')]);
  const code = page.url().match(/\/staff\/rounds\/(\w{6})\?/)[1];
  result.code = code;
  ok(/Đã tạo đợt khảo sát/.test(await text(page)), `the round ${code} is made and its page says so`);
  await snap(page, 'round');

  // 2. The poster: its QR code read from a screenshot, as a phone would.
  await page.click(`a[href="/staff/rounds/${code}/poster"]`);
  await page.waitForURL(`${base}/staff/rounds/${code}/poster`);
  const poster = await snap(page, 'poster', true);
  let decoded = '';
  try {
    decoded = execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', poster],
      { encoding: 'utf8', timeout: STEP }).trim();
  } catch (e) { decoded = `zbarimg failed: ${e.message}`; }
  ok(decoded === `${base}/s/${code}`, "the poster's QR code, read from its screenshot, is the round's link", decoded);
  result.decoded = decoded;

  // 3. One paper questionnaire printed: a slip made from the round's page,
  // then its paper sheet (the slip code printed on it is what staff type).
  await page.goto(`${base}/staff/rounds/${code}`, { waitUntil: 'load' });
  await page.fill('#count', '1');
  await Promise.all([page.waitForURL(`${base}/staff/rounds/${code}/slips?batch=1`),
    page.click('form[action$="/slips"] button[type=submit]')]);
  await page.goto(`${base}/staff/rounds/${code}`, { waitUntil: 'load' });
  await page.click(`a[href="/staff/rounds/${code}/paper?batch=1"]`);
  await page.waitForURL(`${base}/staff/rounds/${code}/paper?batch=1`);
  const slipCodes = (await text(page)).match(/\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{5}\b/g) || [];
  ok(new Set(slipCodes).size === 1, 'the paper questionnaire carries one slip code', slipCodes.join(' '));
  await snap(page, 'paper');

  // 4. Parents on their phones follow the decoded link and answer.
  const phone = await browser.newContext({
    viewport: { width: 360, height: 640 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
    locale: 'vi-VN',
  });
  for (const [i, answers] of plan.parents.entries()) {
    const p = watch(await phone.newPage());
    const resp = await p.goto(decoded, { waitUntil: 'load' });
    ok(resp && resp.status() === 200, `parent ${i + 1}: the form opens from the decoded link`);
    if (i === 0) await snap(p, 'parent-form');
    for (const [q, value] of answers.entries()) {
      await p.tap(`label:has(input[name="q${q}"][value="${value}"])`);
    }
    if (plan.comment) await p.fill('textarea', plan.comment);
    const checked = await p.$$eval('input[type=radio]:checked', (xs) => xs.map((x) => x.value));
    ok(checked.join() === answers.join(), `parent ${i + 1}: the tapped answers are the chosen ones`,
      `${checked} vs ${answers}`);
    await Promise.all([p.waitForFunction(() => /Cảm ơn/.test(document.body.innerText), null, { timeout: STEP }),
      p.tap('button[type=submit]')]);
    ok(/Cảm ơn Ông\/Bà/.test(await text(p)), `parent ${i + 1}: sent, the page thanks them`);
    if (i === 0) await snap(p, 'parent-thanks');
    await p.close();
  }
  await phone.close();

  // 5. Staff key the paper questionnaire.
  await page.goto(`${base}/staff/rounds/${code}`, { waitUntil: 'load' });
  await page.click(`a[href="/staff/rounds/${code}/entry"]`);
  await page.waitForURL(`${base}/staff/rounds/${code}/entry`);
  await page.fill('#slip', slipCodes[0] || '');
  for (const [q, key] of plan.paper.entries()) await page.fill(`#q${q}`, key);
  // The auto-advance has scrolled to the last field: show the sheet from its slip code.
  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, 'entry');
  await Promise.all([page.waitForNavigation(), page.click('#pe button[type=submit]')]);
  ok(/Đã lưu phiếu/.test(await text(page)), 'the paper questionnaire is saved');
  await snap(page, 'entry-saved');

  // 6. The aggregation, as the timer or `hailong aggregate` runs it.
  const counted = execFileSync(plan.hailong, ['aggregate'], {
    encoding: 'utf8', timeout: STEP, env: { ...process.env, DATABASE_URL: plan.databaseUrl },
  });
  const total = plan.parents.length + 1;
  ok(new RegExp(`^${total} responses counted`).test(counted), `the aggregation counts the ${total} responses`, counted);

  // 7. The round's progress counts each way in; the start page lists the
  // criteria below target, lowest first; the report, reached from there.
  await page.goto(`${base}/staff/rounds/${code}`, { waitUntil: 'load' });
  const progress = await page.$$eval('.kpi div', (ds) => ds.map((d) => d.innerText.replace(/\s+/g, ' ').trim()));
  const want = [`Phiếu đã nhận ${total}`, `Quét mã chung ${plan.parents.length}`, 'Phiếu giấy đã nhập 1'];
  ok(want.every((w) => progress.includes(w)), `the round's progress: ${want.join(', ')}`, progress.join(' | '));
  await page.goto(`${base}/staff`, { waitUntil: 'load' });
  const below = await page.$$eval('.rl li', (ls) => ls.filter((l) => /Hài lòng .*mục tiêu/.test(l.innerText))
    .map((l) => l.innerText.split('\n').map((x) => x.trim())));
  const wantBelow = plan.expect.criteria.filter((c) => c.below);
  ok(below.length === wantBelow.length && wantBelow.every((c) => below.some(([t, r]) =>
    t === c.short && r === `Hài lòng ${c.rate}, mục tiêu ${plan.expect.target}`)),
  `the start page lists the ${wantBelow.length} criteria below ${plan.expect.target}, with their rates`, JSON.stringify(below));
  const order = below.map(([, r]) => parseFloat(r.replace(/^Hài lòng /, '').replace(',', '.')));
  ok(order.every((v, i) => i === 0 || order[i - 1] <= v), 'lowest first', order.join(' '));
  await snap(page, 'dashboard-after');
  await page.click(`a[href="/staff/reports/${plan.school}"]`);
  await page.waitForURL(`${base}/staff/reports/${plan.school}`);
  const shown = await page.$$eval('table tr', (trs) => trs.map((tr) => {
    const t = tr.querySelector('td.t');
    const cells = [...tr.querySelectorAll('td.n')].map((td) => td.innerText.trim());
    return t && { text: t.innerText.trim(), frac: cells[8], rate: cells[9] };
  }).filter(Boolean));
  for (const want of plan.expect.criteria) {
    const got = shown.find((r) => r.text === want.text);
    ok(got && got.frac === want.frac && got.rate === want.rate,
      `report: “${want.short}” is ${want.frac} = ${want.rate}`, JSON.stringify(got));
  }
  const body = await text(page);
  ok(new RegExp(`Số phiếu trả lời\\s*${total}\\b`).test(body), `report: ${total} responses in scope`);
  ok(new RegExp(`Tỉ lệ phản hồi\\s*${plan.expect.responseRate}`).test(body),
    `report: the response rate is ${plan.expect.responseRate} (${total} of ${plan.target} parents)`,
    body.slice(body.indexOf('Tỉ lệ phản hồi'), body.indexOf('Tỉ lệ phản hồi') + 80));
  const headline = await page.$eval('.fig.main .big', (e) => e.innerText.trim()).catch(() => '');
  ok(headline === plan.expect.headline, `report: the satisfaction index is ${plan.expect.headline} (mean of the elements)`, headline);
  const overall = await page.$$eval('.fig:not(.main) .big', (es) => es.map((e) => e.innerText.trim())).catch(() => []);
  ok(overall[0] === plan.expect.overall, `report: the overall question is ${plan.expect.overall}`, overall.join(' '));
  const comments = await page.$$eval('li, blockquote, p', (es) => es.filter((e) => e.children.length === 0)
    .map((e) => e.innerText.trim()));
  ok(comments.filter((c) => c.includes(plan.comment)).length === plan.parents.length,
    `report: the parents' ${plan.parents.length} comments are shown`);
  await snap(page, 'report');
  await snap(page, 'report-full', true);

  // 8. The XLSX through the page's own link.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: STEP }),
    page.click('a[href$="format=xlsx"]')]);
  const xlsx = join(plan.downloads, download.suggestedFilename());
  await download.saveAs(xlsx);
  ok(/\.xlsx$/.test(xlsx) && readFileSync(xlsx).subarray(0, 2).toString() === 'PK',
    `the XLSX link downloads a workbook (${download.suggestedFilename()})`);
  result.xlsx = xlsx;

  // 9. The accounts page, for the guides.
  await page.goto(`${base}/staff/accounts`, { waitUntil: 'load' });
  ok(await page.isVisible('#tk-login'), 'the accounts page offers a new account');
  await snap(page, 'accounts');
  await staff.close();

  // 10. An admin of another school: nothing of it, anywhere.
  const other = await staffContext();
  const q = watch(await other.newPage(), true);
  await signIn(q, plan.other);
  for (const path of ['/staff', '/staff/rounds']) {
    await q.goto(base + path, { waitUntil: 'load' });
    const t = await q.content();
    ok(!t.includes(code) && !t.includes(plan.title), `another school: ${path} does not list the round`);
  }
  for (const path of [`/staff/rounds/${code}`, `/staff/rounds/${code}/poster`,
    `/staff/rounds/${code}/paper?batch=1`, `/staff/rounds/${code}/slips?batch=1`,
    `/staff/rounds/${code}/entry`, `/staff/rounds/${code}/edit`,
    `/staff/reports/${plan.school}`]) {
    const resp = await q.goto(base + path, { waitUntil: 'load' });
    const t = await q.content();
    ok([403, 404].includes(resp.status()) && !t.includes(plan.title),
      `another school: ${path} is refused (${resp.status()})`);
    ok(await q.isVisible('a[href="/staff"]'), `another school: the refusal of ${path} links back to the start page`);
    if (path.endsWith('/poster')) await snap(q, 'other-school-refused');
  }
  // Exports, through the pages' links and the API, with this session.
  for (const path of [`/staff/reports/${plan.school}?format=xlsx`, `/staff/reports/${plan.school}?format=csv`,
    `/api/v1/reports/${plan.school}?format=xlsx`, `/api/v1/reports/${plan.school}?format=csv`,
    `/api/v1/reports/${plan.school}/comments?format=csv`, `/api/v1/campaigns/${code}`]) {
    const r = await other.request.get(base + path, { timeout: STEP, maxRedirects: 0 });
    ok([403, 404].includes(r.status()), `another school: ${path} is refused (${r.status()})`);
  }
  // Its own report, even asked for the round by code, holds none of the answers.
  const own = await q.goto(`${base}/staff/reports/${plan.otherSchool}?campaign=${code}`, { waitUntil: 'load' });
  const ownText = await text(q);
  ok(!ownText.includes(plan.title) && !/Tỉ lệ hài lòng theo tiêu chí/.test(ownText),
    `another school: its own report, filtered on the round's code, shows none of it (${own.status()})`, ownText.slice(0, 1500));
  await other.close();

  ok(problems.length === 0, 'no script error, CSP violation or external request on any page', problems.join('\n'));
} catch (e) {
  ok(false, 'the journey ran to the end', e.stack || e);
} finally {
  writeFileSync(join(plan.downloads, 'result.json'), JSON.stringify(result));
  await browser.close();
}
done();
