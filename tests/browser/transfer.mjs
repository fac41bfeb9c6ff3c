// Drives Debian's chromium through playwright-core against a demo-mode zhijia server: a member
// on a phone-sized screen finds a union's request to take their membership waiting on 我的会籍,
// with who asks, from where, and until when; agrees; and the page then shows the transfer
// waiting for the releasing union. Screenshots at 360 × 740 and 1366 × 768. No page may log an
// error. Usage: node transfer.mjs BASE_URL OUT_DIR (ZHIJIA_PHONE, ZHIJIA_UNION in the
// environment)
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
try {
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  phone.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  phone.on('pageerror', (e) => problems.push(`page: ${e}`));
  await phone.goto(`${base}/sign-in`);
  await phone.fill('input[name=phone]', env.ZHIJIA_PHONE);
  await phone.click('form.stack button[type=submit]');
  const code = (await phone.locator('.banner strong').textContent()).trim();
  await phone.fill('input[name=code]', code);
  await phone.click('form[action="/sign-in/verify"] button[type=submit]');
  await phone.waitForURL(`${base}/`);
  await phone.goto(`${base}/membership`);
  const asked = await text(phone);
  if (!asked.includes('待您确认') || !asked.includes(env.ZHIJIA_UNION)) {
    throw new Error(`no request to confirm: ${asked.slice(0, 400)}`);
  }
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`the membership page runs ${overflow}px off a 360px screen`);
  await phone.screenshot({ path: `${outDir}/membership-proposal-360.png`, fullPage: true });
  await phone.setViewportSize({ width: 1366, height: 768 });
  await phone.screenshot({ path: `${outDir}/membership-proposal-1366.png`, fullPage: true });
  await phone.setViewportSize({ width: 360, height: 740 });
  await Promise.all([phone.waitForNavigation(), phone.click('form[action$="/confirm"] button[type=submit]')]);
  const after = await text(phone);
  if (after.includes('待您确认') || !after.includes('待转出工会同意')) {
    throw new Error(`after agreeing: ${after.slice(0, 400)}`);
  }
  await phone.screenshot({ path: `${outDir}/membership-confirmed-360.png`, fullPage: true });
  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
}
