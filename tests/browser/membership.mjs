// Drives Debian's chromium through playwright-core against a demo-mode zhijia server: a worker
// signs in with the SMS code the demo shows, applies to join on the mobile form, a reviewer
// approves on the console, the worker opens the card (an inline SVG QR under the site's CSP),
// and the card's QR checks as valid on the verification page. No page may log an error.
// Usage: node membership.mjs BASE_URL OUT_DIR (ZHIJIA_USER, ZHIJIA_PASSWORD, ZHIJIA_ID_NUMBER,
// ZHIJIA_CREDIT_CODE in the environment)
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
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${who} console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${who} page: ${e}`));
};
const text = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ').trim();
try {
  // The worker, on a cheap phone's screen.
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  watch(phone, 'worker');
  await phone.goto(`${base}/`);
  await phone.click('a.button[href="/sign-in"]');
  await phone.fill('input[name=phone]', '13700137000');
  await phone.click('form.stack button[type=submit]');
  const code = (await phone.locator('.banner strong').textContent()).trim();
  await phone.fill('input[name=code]', code);
  await phone.click('form[action="/sign-in/verify"] button[type=submit]');
  await phone.waitForURL(`${base}/`);

  await phone.click('a.tile[href="/join"]');
  await phone.click('a[href="/join?path=employee"]');
  await phone.fill('input[name=name]', '浏览器');
  await phone.fill('input[name=id_number]', env.ZHIJIA_ID_NUMBER);
  await phone.click('details.more > summary');
  await phone.selectOption('select[name=ethnicity]', '01');
  await phone.fill('input[name=employer_name]', '广州天河电子厂');
  await phone.fill('input[name=employer_credit_code]', env.ZHIJIA_CREDIT_CODE);
  await phone.check('input[name=wage_earner]');
  await phone.check('input[name=accepts_constitution]');
  await phone.check('input[name=consent]');
  await phone.screenshot({ path: `${outDir}/join.png`, fullPage: true });
  await phone.click('form[action="/join"] button[type=submit]');
  await phone.waitForURL(`${base}/membership`);
  const submitted = await text(phone);
  if (!submitted.includes('入会申请已提交') || !submitted.includes('电子厂工会委员会')) {
    throw new Error(`after applying: ${submitted.slice(0, 300)}`);
  }

  // The reviewer approves on the console.
  const desk = await (await browser.newContext()).newPage();
  watch(desk, 'staff');
  await desk.goto(`${base}/console/applications`);
  await desk.fill('input[name=username]', env.ZHIJIA_USER);
  await desk.fill('input[name=password]', env.ZHIJIA_PASSWORD);
  await desk.click('form.stack button[type=submit]');
  await desk.waitForURL(/\/console\/applications/);
  // A decision is taken on the application's own page, never from the list row.
  const row = desk.locator('tr', { hasText: '浏览器' });
  await Promise.all([desk.waitForNavigation(), row.locator('a[href^="/console/applications/"]').click()]);
  await Promise.all([desk.waitForNavigation(), desk.click('button[name=approve]')]);
  await desk.waitForURL(/\/console\/applications/);
  if ((await text(desk)).includes('浏览器')) throw new Error('the approved application is still in the queue');

  // The approval waits unread in the inbox; opening the page changes nothing, the button
  // marks it read (a page never writes on GET).
  await phone.goto(`${base}/membership`);
  if (!(await text(phone)).includes('条未读')) throw new Error('the approval message is not shown as unread');
  await phone.screenshot({ path: `${outDir}/membership-unread.png`, fullPage: true });
  const viewport = phone.viewportSize();
  await phone.setViewportSize({ width: 1366, height: 768 });
  await phone.screenshot({ path: `${outDir}/membership-unread-desktop.png`, fullPage: true });
  await phone.setViewportSize(viewport);
  await phone.reload();
  if (!(await text(phone)).includes('条未读')) throw new Error('reading the page marked the messages read');
  await phone.click('form[action="/membership/read"] button[type=submit]');
  await phone.waitForURL(`${base}/membership`);
  if ((await text(phone)).includes('条未读')) throw new Error('全部标为已读 left messages unread');

  // The card: an inline SVG QR, drawn (non-zero size) under the CSP.
  await phone.goto(`${base}/card`);
  const box = await phone.locator('.qr svg').boundingBox();
  if (!box || box.width < 100 || box.height < 100) throw new Error(`QR not drawn: ${JSON.stringify(box)}`);
  await phone.screenshot({ path: `${outDir}/card.png`, fullPage: true });
  const card = await phone.evaluate(() => fetch('/api/v1/membership/card').then((r) => r.json()));
  if (!(await text(phone)).includes(card.member_no)) throw new Error('card page without the member number');

  // A merchant checks it.
  const shop = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  watch(shop, 'verifier');
  await shop.goto(`${base}/cards/verify`);
  await shop.fill('input[name=token]', card.token);
  await shop.click('form.stack button[type=submit]');
  const verdict = await shop.locator('.verdict').textContent();
  if (!verdict.includes('会员卡有效') || !verdict.includes('浏*器')) throw new Error(`verdict: ${verdict}`);
  await shop.fill('input[name=token]', card.token.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
  await shop.click('form.stack button[type=submit]');
  const forged = await shop.locator('.verdict').textContent();
  if (!forged.includes('伪造')) throw new Error(`forged verdict: ${forged}`);
  await shop.screenshot({ path: `${outDir}/verify.png`, fullPage: true });

  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
}
