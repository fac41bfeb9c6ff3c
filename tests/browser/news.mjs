// Drives Debian's chromium through playwright-core against a zhijia server (issue 15): a member
// on a 360 px phone reads the feed of their union's branch, opens an article whose Markdown
// carried a <script>, an onerror image and a javascript: link (none may run or survive), likes
// it and leaves a comment with a phone number in it; the comment shows to its writer only,
// masked, until an editor of the union features (精选) it on a desk screen; then the member and
// a reader who is not signed in see it. Screenshots at 360 × 740 and 1366 × 768. No page may
// log an error.
// Usage: node news.mjs BASE_URL OUT_DIR (ZHIJIA_PHONE, ZHIJIA_TITLE, ZHIJIA_EDITOR,
// ZHIJIA_STAFF_PASSWORD in the environment)
import { chromium } from 'playwright-core';

const [, , base, outDir] = process.argv;
const env = process.env;
const browser = await chromium.launch({
  executablePath: env.ZHIJIA_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
const watch = (page, who) => {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${who} console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who} page: ${e}`));
  page.on('dialog', (d) => {
    problems.push(`${who}: a dialog opened (${d.message()}): script from the article ran`);
    d.dismiss();
  });
};
const text = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ').trim();
const expect = async (page, what, where) => {
  const t = await text(page);
  if (!t.includes(what)) throw new Error(`${where}: expected “${what}” in ${t.slice(0, 600)}`);
};
const wide = { width: 1366, height: 768 };
const narrow = { width: 360, height: 740 };
const shot = (page, name) => page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
const both = async (page, name) => {
  await page.setViewportSize(narrow);
  await shot(page, `${name}-360`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`${name} runs ${overflow}px off a 360px screen`);
  await page.setViewportSize(wide);
  await shot(page, `${name}-1366`);
  await page.setViewportSize(narrow);
};
const COMMENT = '请问加班费按什么基数算？我的电话 138 1234 5678';
try {
  const phoneCtx = await browser.newContext({ viewport: narrow, isMobile: true, hasTouch: true });
  const phone = await phoneCtx.newPage();
  watch(phone, 'member');
  await phone.goto(`${base}/sign-in?next=/news`);
  await phone.fill('input[name=phone]', env.ZHIJIA_PHONE);
  await Promise.all([phone.waitForNavigation(), phone.click('form[action="/sign-in/code"] button[type=submit]')]);
  const code = (await phone.locator('.banner strong').textContent()).trim();
  await phone.fill('input[name=code]', code);
  await Promise.all([phone.waitForNavigation(), phone.click('form[action="/sign-in/verify"] button[type=submit]')]);
  if (!phone.url().endsWith('/news')) await phone.goto(`${base}/news`);
  await expect(phone, env.ZHIJIA_TITLE, 'the member’s feed');
  await both(phone, 'news-flow-feed');

  // The article: what the Markdown smuggled in is gone, nothing ran.
  await Promise.all([phone.waitForNavigation(), phone.click(`main a:has-text("${env.ZHIJIA_TITLE}")`)]);
  const articleUrl = phone.url();
  await expect(phone, '依据《劳动合同法》', 'the article');
  const smuggled = await phone.evaluate(() => ({
    ran: window.__pwned,
    scripts: document.querySelectorAll('.prose script').length,
    handlers: [...document.querySelectorAll('.prose *')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
    jsLinks: [...document.querySelectorAll('.prose a')].filter((a) => (a.getAttribute('href') || '').trim().toLowerCase().startsWith('javascript')).length,
  }));
  if (smuggled.ran !== undefined) problems.push(`script from the Markdown ran: window.__pwned = ${smuggled.ran}`);
  if (smuggled.scripts || smuggled.handlers || smuggled.jsLinks) {
    problems.push(`the article kept ${smuggled.scripts} script(s), ${smuggled.handlers} event handler(s), ${smuggled.jsLinks} javascript: link(s)`);
  }
  await both(phone, 'news-flow-article');

  // A like, once.
  await Promise.all([phone.waitForNavigation(), phone.click('form[action$="/like"] button')]);
  await expect(phone, '已赞 1', 'the liked article');

  // A comment: kept for its writer, masked, waiting for an editor.
  await phone.fill('#comments textarea[name=body]', COMMENT);
  await Promise.all([phone.waitForNavigation(), phone.click('#comments form button[type=submit]')]);
  await expect(phone, '待精选，仅您可见', 'the member’s own pending comment');
  const mine = await text(phone);
  // Masked as phone numbers are shown everywhere here: the first three and last four digits.
  if (mine.includes('1234') || !mine.includes('138****5678')) problems.push(`the phone number in the comment was not masked: ${mine.slice(0, 600)}`);
  await both(phone, 'news-flow-comment-pending');

  // A reader who is not signed in does not see it yet.
  const anon = await (await browser.newContext({ viewport: narrow })).newPage();
  watch(anon, 'reader');
  await anon.goto(articleUrl);
  if ((await text(anon)).includes('加班费按什么基数')) problems.push('a pending comment showed to another reader');

  // The editor features it on a desk screen.
  const desk = await (await browser.newContext({ viewport: wide })).newPage();
  watch(desk, 'editor');
  await desk.goto(`${base}/console/comments`);
  await desk.fill('input[name=username]', env.ZHIJIA_EDITOR);
  await desk.fill('input[name=password]', env.ZHIJIA_STAFF_PASSWORD);
  await Promise.all([desk.waitForNavigation(), desk.click('form.stack button[type=submit]')]);
  if (!desk.url().includes('/console/comments')) await desk.goto(`${base}/console/comments`);
  await expect(desk, '加班费按什么基数', 'the moderation queue');
  await both(desk, 'news-flow-moderation');
  await Promise.all([desk.waitForNavigation(), desk.click('form[action$="/feature"] button')]);
  await desk.goto(`${base}/console/comments?status=featured`);
  await expect(desk, '加班费按什么基数', 'the featured comments');

  // Now the member and the reader see it, featured, still masked.
  await phone.goto(articleUrl);
  await expect(phone, '加班费按什么基数', 'the member after featuring');
  if ((await text(phone)).includes('待精选')) problems.push('the featured comment still says it waits');
  await anon.goto(articleUrl);
  await expect(anon, '加班费按什么基数', 'the reader after featuring');
  const seen = await text(anon);
  if (seen.includes('1234')) problems.push('the featured comment showed the phone number');
  // Every open so far was counted (by a beacon the page sends once shown).
  if (/阅读 0(?!\d)/.test(seen)) problems.push(`the article's opens were not counted: ${seen.slice(0, 200)}`);
  await both(anon, 'news-flow-comment-featured');
} catch (e) {
  problems.push(String(e.stack || e));
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('browser: ok');
