// Drives Debian's chromium through playwright-core against a zhijia server: a city union's
// administrator opens the grants page (with the appointments made below it) and a member's page
// (masked identity number, birth year only). Each is shot at 360 × 740 and 1366 × 768 and checked
// for horizontal overflow there and at 200 % zoom (a 683 px wide viewport). No page may log an
// error. Usage: node staff-pages.mjs BASE_URL OUT_DIR (ZHIJIA_ADMIN, ZHIJIA_STAFF_PASSWORD,
// ZHIJIA_GRANTS_PATH, ZHIJIA_MEMBER_PATH in the environment)
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
const look = async (page, name) => {
  for (const [w, h, tag] of [[360, 740, '360'], [683, 384, 'zoom200'], [1366, 768, '1366']]) {
    await page.setViewportSize({ width: w, height: h });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) problems.push(`${name} runs ${overflow}px off a ${w}px screen`);
    if (tag !== 'zoom200') await page.screenshot({ path: `${outDir}/${name}-${tag}.png`, fullPage: true });
  }
};
try {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page: ${e}`));
  await page.goto(`${base}${env.ZHIJIA_GRANTS_PATH}`);
  await page.fill('input[name=username]', env.ZHIJIA_ADMIN);
  await page.fill('input[name=password]', env.ZHIJIA_STAFF_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form.stack button[type=submit]')]);
  if (!page.url().endsWith(env.ZHIJIA_GRANTS_PATH)) await page.goto(`${base}${env.ZHIJIA_GRANTS_PATH}`);
  const grants = await text(page);
  if (!grants.includes('下级组织近90天授予的审批类角色') || !grants.includes('below.officer')) {
    throw new Error(`grants page: ${grants.slice(0, 400)}`);
  }
  await look(page, 'console-grants');
  await page.goto(`${base}${env.ZHIJIA_MEMBER_PATH}`);
  const member = await text(page);
  if (!member.includes('出生年份') || !/\d{2}\*{14}[\dX]{2}/.test(member)) {
    throw new Error(`member page: ${member.slice(0, 400)}`);
  }
  await look(page, 'console-member');
  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
}
