// Drives Debian's chromium through playwright-core against a demo-mode zhijia server: a worker
// files a rights-protection case on a phone-sized screen with a photo, a handler accepts and
// answers it in the console, the statistics page draws its ECharts charts under the site's
// strict CSP, and the worker rates the answer. No page may log an error.
// Usage: node cases.mjs BASE_URL OUT_DIR (ZHIJIA_USER, ZHIJIA_PASSWORD, ZHIJIA_CREDIT_CODE in the
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
const watch = (page, who) => {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${who} console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${who} page: ${e}`));
};
const text = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ').trim();
// A 1×1 PNG.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
try {
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  watch(phone, 'worker');
  await phone.goto(`${base}/sign-in`);
  await phone.fill('input[name=phone]', '13700137011');
  await phone.click('form.stack button[type=submit]');
  const code = (await phone.locator('.banner strong').textContent()).trim();
  await phone.fill('input[name=code]', code);
  await phone.click('form[action="/sign-in/verify"] button[type=submit]');
  await phone.waitForURL(`${base}/`);
  await phone.click('a.tile[href="/cases"]');
  await phone.click('a.button[href="/cases/new"]');
  await phone.selectOption('select[name=kind]', 'complaint');
  await phone.fill('input[name=title]', '浏览器里的欠薪投诉');
  await phone.fill('textarea[name=description]', '三个月工资未发');
  await phone.fill('input[name=filer_name]', '浏览器');
  await phone.fill('input[name=employer_name]', '广州天河电子厂');
  await phone.fill('input[name=employer_credit_code]', env.ZHIJIA_CREDIT_CODE);
  // The place of work from the province → city → district lists, never a typed code.
  const lists = phone.locator('fieldset.region select');
  await lists.nth(0).selectOption({ label: '广东省' });
  await phone.locator('fieldset.region select:not([disabled]) >> option[value="440100"]').waitFor({ state: 'attached' });
  await lists.nth(1).selectOption({ label: '广州市' });
  await phone.locator('fieldset.region select >> option[value="440106"]').waitFor({ state: 'attached' });
  await lists.nth(2).selectOption({ label: '天河区' });
  await phone.setInputFiles('input[name=file]', { name: '工资条.png', mimeType: 'image/png', buffer: png });
  await phone.screenshot({ path: `${outDir}/case-new.png`, fullPage: true });
  await phone.click('form[action="/cases/new"] button[type=submit]');
  await phone.waitForURL(/\/cases\/\d+$/);
  const caseUrl = phone.url();
  const filed = await text(phone);
  if (!filed.includes('已提交') || !filed.includes('工资条.png')) {
    throw new Error(`after filing: ${filed.slice(0, 300)}`);
  }

  const desk = await (await browser.newContext()).newPage();
  watch(desk, 'staff');
  await desk.goto(`${base}/console/cases`);
  await desk.fill('input[name=username]', env.ZHIJIA_USER);
  await desk.fill('input[name=password]', env.ZHIJIA_PASSWORD);
  await desk.click('form.stack button[type=submit]');
  await desk.waitForURL(/\/console\/cases/);
  await desk.click('a:has-text("浏览器里的欠薪投诉")');
  await desk.click('form:has(input[value=accept]) button[type=submit]');
  await desk.fill('form:has(input[value=resolve]) textarea[name=text]', '已督促企业本周内发放');
  await desk.click('form:has(input[value=resolve]) button[type=submit]');
  const handled = await text(desk);
  if (!handled.includes('已办结')) throw new Error(`after resolving: ${handled.slice(0, 300)}`);

  await desk.goto(`${base}/console/case-stats`);
  await desk.waitForSelector('#by-month canvas');
  await desk.waitForSelector('#by-kind canvas');
  await desk.screenshot({ path: `${outDir}/case-stats.png`, fullPage: true });

  await phone.goto(caseUrl);
  await phone.check('input[name=satisfied][value=yes]');
  await phone.click('form[action$="/rating"] button[type=submit]');
  const rated = await text(phone);
  if (!rated.includes('已关闭')) throw new Error(`after rating: ${rated.slice(0, 300)}`);
  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
}
