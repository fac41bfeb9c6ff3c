// The staff console on a 1366 × 768 desktop, driven through Debian's chromium with
// playwright-core: a reviewer signs in, sees the side menu with what waits and the branch at a
// glance on the home, opens the review queue (no decision on a row), opens one application
// (masked identity number) and approves it there. Under 900 px the side menu becomes a top menu.
// Screenshots: flow-console-home-1366.png, flow-console-review-queue-1366.png,
// flow-console-application-1366.png, flow-console-home-800.png.
// Usage: node console-flows.mjs BASE_URL OUT_DIR (ZHIJIA_REVIEWER, ZHIJIA_STAFF_PASSWORD)
import { chromium } from 'playwright-core';

const [, , base, outDir] = process.argv;
const env = process.env;
const browser = await chromium.launch({
  executablePath: env.ZHIJIA_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
const text = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ').trim();
const overflow = async (page, name) => {
  const px = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (px > 0) problems.push(`${name} runs ${px}px off the screen`);
};
try {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page: ${e}`));
  await page.goto(`${base}/console`);
  await page.fill('input[name=username]', env.ZHIJIA_REVIEWER);
  await page.fill('input[name=password]', env.ZHIJIA_STAFF_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form.stack button[type=submit]')]);
  if (!page.url().endsWith('/console')) await page.goto(`${base}/console`);

  // The home: the side menu beside the content, with the count of what waits.
  const menu = page.locator('nav.side');
  const box = await menu.boundingBox();
  const mainBox = await page.locator('main').boundingBox();
  if (!box || !mainBox || box.x + box.width > mainBox.x) throw new Error('the side menu is not beside the content');
  const review = (await menu.locator('a[href="/console/applications"]').textContent()).replace(/\s+/g, '');
  if (review !== '入会审核2') throw new Error(`menu entry: ${review}`);
  const home = await text(page);
  if (!home.includes('2待审核入会申请') && !home.includes('2 待审核入会申请')) throw new Error(`home: ${home.slice(0, 400)}`);
  await overflow(page, 'console home');
  await page.screenshot({ path: `${outDir}/flow-console-home-1366.png`, fullPage: true });

  // The queue: no decision on a row; the application is opened first.
  await Promise.all([page.waitForNavigation(), menu.locator('a[href="/console/applications"]').click()]);
  if (await page.locator('main button[name=approve]').count()) throw new Error('a row still approves at one click');
  await overflow(page, 'review queue');
  await page.screenshot({ path: `${outDir}/flow-console-review-queue-1366.png`, fullPage: true });
  const row = page.locator('tr', { hasText: '陈晨' });
  await Promise.all([page.waitForNavigation(), row.locator('a', { hasText: '查看并审核' }).click()]);
  const detail = await text(page);
  if (!detail.includes('入会申请：陈晨') || !/44\*{14}[\dX]{2}/.test(detail) || !detail.includes('广州天河电子厂')) {
    throw new Error(`application page: ${detail.slice(0, 400)}`);
  }
  await overflow(page, 'application page');
  await page.screenshot({ path: `${outDir}/flow-console-application-1366.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('button[name=approve]')]);
  const after = await text(page);
  if (!after.includes('已通过该入会申请') || after.includes('陈晨')) throw new Error(`after approving: ${after.slice(0, 400)}`);
  const left = (await page.locator('nav.side a[href="/console/applications"]').textContent()).replace(/\s+/g, '');
  if (left !== '入会审核1') throw new Error(`menu after approving: ${left}`);

  // Under 900 px the menu sits on top of the content.
  await page.setViewportSize({ width: 800, height: 768 });
  await page.goto(`${base}/console`);
  const top = await page.locator('nav.side').boundingBox();
  const content = await page.locator('main').boundingBox();
  if (!top || !content || top.y + top.height > content.y + 1) throw new Error('the menu is not above the content at 800px');
  await overflow(page, 'console home at 800px');
  await page.screenshot({ path: `${outDir}/flow-console-home-800.png`, fullPage: true });

  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
}
