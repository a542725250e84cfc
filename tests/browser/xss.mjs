// XSS payloads must never run nor become markup (tests/attack/xss.py).
// Crawls the staff pages from /staff as a signed-in admin, following every
// same-origin link (bounded), plus the extra pages given, with the
// Content-Security-Policy switched off: CSP is the second wall, and this
// test checks the first one, escaping.  On every page:
//   - __xss(N), which every payload calls, was never called; no dialog opened;
//   - no element carries an event-handler attribute (hailong's pages have
//     none), a javascript: URL, or a script/iframe/object made of a payload.
// Prints which payload numbers appeared as visible text, so the caller can
// check every payload reached a page.
// Usage: node xss.mjs ORIGIN COOKIE EXTRA_PATHS_JSON SCREENSHOT_DIR   (prints TAP)
import { done, launch, ok } from './tap.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [origin, cookie, extraJson, shots] = process.argv.slice(2);
const extra = JSON.parse(extraJson);
const MAX_PAGES = 700;
mkdirSync(shots, { recursive: true });
const [name, value] = cookie.split('=');
// What a page holds that a payload made, its text and its links.
const inspect = () => {
  const bad = [];
  // Payload text inside an ordinary attribute value (a title, a meta
  // description, a query string in a link) is escaped data: harmless.
  // What is not: an event handler, a URL that is javascript:, a frame
  // made from text, a refresh.
  const urlAttrs = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href',
                            'poster', 'background']);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      if (n.startsWith('on') || n === 'srcdoc' ||
          (urlAttrs.has(n) && /^\s*javascript:/i.test(a.value)) ||
          (tag === 'meta' && n === 'http-equiv' && /refresh/i.test(a.value) &&
           /javascript:|__xss/i.test(el.getAttribute('content') || '')))
        bad.push(`<${tag} ${n}="${a.value}">`);
    }
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'BASE'].includes(el.tagName) &&
        /__xss|javascript:/i.test(el.outerHTML))
      bad.push(el.outerHTML.slice(0, 200));
  }
  const links = [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'));
  return { bad, text: document.body ? document.body.innerText : '', links };
};

const browser = await launch();
const hits = [];
const seenText = new Set();
try {
  const context = await browser.newContext({ bypassCSP: true, locale: 'vi-VN',
                                             viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name, value, url: origin }]);
  await context.exposeBinding('__xssHit', (source, n) => hits.push(`${n} on ${source.page.url()}`));
  await context.addInitScript(() => {
    window.__xss = (n) => window.__xssHit(n);
  });
  const page = await context.newPage();
  page.on('dialog', async (d) => { hits.push(`dialog "${d.message()}" on ${page.url()}`); await d.dismiss(); });
  page.on('popup', (p) => hits.push(`popup ${p.url()}`));

  // The control: a page that does paste a payload in must be caught both
  // ways, or a clean crawl below proves nothing.
  await page.goto(origin + '/healthz');
  await page.setContent('<p>x</p><img src="data:," onerror="__xss(999)"><a href="javascript:__xss(998)">a</a>');
  await page.waitForTimeout(300);
  const control = await page.evaluate(inspect);
  ok(hits.some((h) => h.startsWith('999 ')) && control.bad.length === 2,
     'control: a pasted payload runs and is seen as markup', JSON.stringify({ hits, bad: control.bad }));
  hits.length = 0;

  const queue = ['/staff', ...extra];
  const visited = new Set();
  const problems = [];
  let pages = 0;
  while (queue.length && pages < MAX_PAGES) {
    const path = queue.shift();
    if (visited.has(path)) continue;
    visited.add(path);
    let resp;
    try {
      resp = await page.goto(origin + path, { waitUntil: 'load', timeout: 30000 });
    } catch (e) {
      problems.push(`${path}: ${e.message.split('\n')[0]}`);
      continue;
    }
    const type = resp ? (resp.headers()['content-type'] || '') : '';
    if (!type.startsWith('text/html')) continue;
    pages++;
    const found = await page.evaluate(inspect);
    for (const b of found.bad) problems.push(`${path}: ${b}`);
    for (const m of found.text.matchAll(/__xss\((\d+)\)/g)) seenText.add(Number(m[1]));
    if (pages <= 40) {
      const file = path.replace(/[^A-Za-z0-9]+/g, '_').slice(0, 80);
      await page.screenshot({ path: join(shots, `xss${file}.png`) });
    }
    for (const href of found.links) {
      if (!href || !href.startsWith('/') || href.startsWith('//')) continue;
      if (/^\/(api|s)\/|format=(csv|xlsx|json)|\.(png|svg|csv|xlsx)(\?|$)/.test(href)) continue;
      if (!visited.has(href)) queue.push(href);
    }
  }
  // Give a late event handler (a focus, an error of a lazy image) a moment.
  await page.waitForTimeout(500);
  console.log(`# crawled ${pages} pages, ${visited.size} addresses`);
  ok(pages >= 20, `the crawl reached ${pages} pages`);
  ok(queue.length === 0, `the crawl ended before its bound of ${MAX_PAGES} pages`, queue.slice(0, 10).join('\n'));
  ok(hits.length === 0, 'no payload ran, no dialog opened', hits.slice(0, 40).join('\n'));
  ok(problems.length === 0, 'no payload became markup (handler, javascript: URL, script, frame)',
     problems.slice(0, 40).join('\n'));
  console.log(`# seen ${JSON.stringify([...seenText].sort((a, b) => a - b))}`);
} finally {
  await browser.close();
}
done();
