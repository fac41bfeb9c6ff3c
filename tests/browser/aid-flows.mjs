// Drives Debian's chromium through playwright-core against a demo-mode zhijia server, as a
// worker on a cheap phone (360×740, touch): a member applies for hardship aid with a document
// (a refused form keeps the document: “已上传：…”), then files a rights case choosing the place
// of work from the province → city → district lists (a refused form keeps the photo and the
// place). Screenshots at 360 px in normal and elder mode. No page may log an error or scroll
// sideways.
// Usage: node aid-flows.mjs BASE_URL OUT_DIR (ZHIJIA_PHONE: a member's phone, in the environment)
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
  // A refused form answers 422 on purpose; chromium logs that status as a console error.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('status of 422')) problems.push(`${who} console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who} page: ${e}`));
};
const text = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ').trim();
const fits = async (page, what) => {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 360) problems.push(`${what} scrolls sideways: ${wide} px wide at 360`);
};
// Taps a submit button and waits for the page the form brings back (a refusal comes back at
// the same address, so waiting for the address would not wait).
const submit = async (page, selector) => {
  await Promise.all([page.waitForNavigation(), page.tap(selector)]);
};
// A 1×1 PNG: a photo of a bill, a pay slip.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
try {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1,
  });
  const phone = await context.newPage();
  watch(phone, 'worker');
  await phone.goto(`${base}/sign-in?next=/aid/mine`);
  await phone.fill('input[name=phone]', env.ZHIJIA_PHONE);
  await submit(phone, 'form.stack button[type=submit]');
  const code = (await phone.locator('.banner strong').textContent()).trim();
  await phone.fill('input[name=code]', code);
  await submit(phone, 'form[action="/sign-in/verify"] button[type=submit]');
  await phone.goto(`${base}/aid/mine`);
  if (!(await text(phone)).includes('您还没有帮扶申请')) throw new Error('no empty state on 我的帮扶');

  // Hardship aid: the form from 我的帮扶, kinds and causes chosen from lists.
  await phone.tap('section.card a.button[href="/aid/apply"]');
  await phone.waitForURL(`${base}/aid/apply`);
  await phone.tap('label.choice:has(input[value=medical])');
  await phone.fill('textarea[name=reason]', '妻子住院手术，自付费用三万元');
  await phone.selectOption('select[name=cause]', { label: '因病' });
  await phone.fill('input[name=household_size]', '3');
  await phone.fill('input[name=income]', '800');
  await phone.fill('input[name=housing]', '租房');
  await phone.setInputFiles('input[name=file]', { name: '住院发票.png', mimeType: 'image/png', buffer: png });
  await phone.locator('input[name=amount]').evaluate((e) => e.removeAttribute('required'));
  await submit(phone, 'form[action="/aid/apply"] button[type=submit]');
  let page = await text(phone);
  if (!page.includes('请填写申请金额') || !page.includes('已上传：住院发票.png')) {
    throw new Error(`a refused aid form: ${page.slice(0, 400)}`);
  }
  if (await phone.inputValue('textarea[name=reason]') !== '妻子住院手术，自付费用三万元') throw new Error('the reason was lost');
  if (!(await phone.isChecked('input[value=medical]'))) throw new Error('the kind was lost');
  await fits(phone, 'the refused aid form');
  await phone.screenshot({ path: `${outDir}/flow-aid-apply-error-360.png`, fullPage: true });
  await phone.fill('input[name=amount]', '3000');
  await phone.screenshot({ path: `${outDir}/flow-aid-apply-360.png`, fullPage: true });
  await phone.tap('form[action="/aid/apply"] button[type=submit]');
  await phone.waitForURL(/\/aid\/mine\/\d+/);
  page = await text(phone);
  if (!page.includes('申请已提交') || !page.includes('住院发票.png') || !page.includes('审批中')) {
    throw new Error(`after applying: ${page.slice(0, 400)}`);
  }
  await fits(phone, 'the application page');
  await phone.screenshot({ path: `${outDir}/flow-aid-applied-360.png`, fullPage: true });
  await phone.goto(`${base}/aid/mine`);
  if (!(await text(phone)).includes('医疗救助 3000.00 元')) throw new Error('the application is not listed');
  await phone.screenshot({ path: `${outDir}/flow-aid-mine-360.png`, fullPage: true });

  // A rights case: the place of work from the lists, a photo kept across a refusal.
  await phone.goto(`${base}/cases/new`);
  await phone.selectOption('select[name=kind]', 'complaint');
  await phone.fill('textarea[name=description]', '三个月工资未发');
  await phone.fill('input[name=filer_name]', '张建国');
  await phone.fill('input[name=employer_name]', '广州天河电子厂');
  const lists = phone.locator('fieldset.region select');
  await lists.nth(0).selectOption({ label: '广东省' });
  await phone.locator('fieldset.region select >> option[value="440100"]').waitFor({ state: 'attached' });
  await lists.nth(1).selectOption({ label: '广州市' });
  await phone.locator('fieldset.region select >> option[value="440106"]').waitFor({ state: 'attached' });
  await lists.nth(2).selectOption({ label: '天河区' });
  await phone.setInputFiles('input[name=file]', { name: '工资条.png', mimeType: 'image/png', buffer: png });
  await phone.locator('input[name=title]').evaluate((e) => e.removeAttribute('required'));
  await submit(phone, 'form[action="/cases/new"] button[type=submit]');
  page = await text(phone);
  if (!page.includes('请填写标题') || !page.includes('已上传：工资条.png')) {
    throw new Error(`a refused case form: ${page.slice(0, 400)}`);
  }
  if (await lists.nth(2).inputValue() !== '440106') throw new Error('the district was lost');
  await fits(phone, 'the refused case form');
  await phone.fill('input[name=title]', '拖欠三个月工资');
  await phone.screenshot({ path: `${outDir}/flow-case-new-360.png`, fullPage: true });
  await phone.tap('form[action="/cases/new"] button[type=submit]');
  await phone.waitForURL(/\/cases\/\d+$/);
  page = await text(phone);
  if (!page.includes('工资条.png') || !page.includes('拖欠三个月工资')) {
    throw new Error(`after filing: ${page.slice(0, 400)}`);
  }
  await phone.goto(`${base}/cases`);
  await phone.screenshot({ path: `${outDir}/flow-cases-mine-360.png`, fullPage: true });

  // The notice page, and everything again in elder mode.
  await phone.goto(`${base}/aid/notice`);
  await fits(phone, 'the aid notice');
  // A card per row: the masked name on one line, 提出异议 a full-size button.
  const name = await phone.locator('td.name').first().boundingBox();
  if (!name || name.height > 40) throw new Error(`the name breaks over lines: ${JSON.stringify(name)}`);
  const object = await phone.locator('td.act a.button').first().boundingBox();
  if (!object || object.height < 44 || object.width < 200) throw new Error(`提出异议 is too small: ${JSON.stringify(object)}`);
  await phone.screenshot({ path: `${outDir}/flow-aid-notice-360.png`, fullPage: true });
  await phone.goto(`${base}/prefs/elder?on=1&next=/aid/apply`);
  await phone.waitForURL(`${base}/aid/apply`);
  await fits(phone, 'the aid form in elder mode');
  await phone.screenshot({ path: `${outDir}/flow-aid-apply-360-elder.png`, fullPage: true });
  await phone.goto(`${base}/aid/mine`);
  await fits(phone, '我的帮扶 in elder mode');
  await phone.screenshot({ path: `${outDir}/flow-aid-mine-360-elder.png`, fullPage: true });
  await phone.goto(`${base}/cases/new`);
  await fits(phone, 'the case form in elder mode');
  await phone.screenshot({ path: `${outDir}/flow-case-new-360-elder.png`, fullPage: true });
  await phone.goto(`${base}/aid/notice`);
  await phone.screenshot({ path: `${outDir}/flow-aid-notice-360-elder.png`, fullPage: true });

  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
}
