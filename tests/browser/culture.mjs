// Drives Debian's chromium through playwright-core against a zhijia server: an editor of a
// district union adds a book and a model worker in the console on a desktop screen, publishes
// both (the model worker only after the consent is ticked), and a reader on a phone-sized
// screen finds them on the public shelf and showcase without signing in, filtered by kind and
// level. Screenshots of every page at 360 × 740 and 1366 × 768. No page may log an error.
// Usage: node culture.mjs BASE_URL OUT_DIR (ZHIJIA_EDITOR, ZHIJIA_STAFF_PASSWORD in the
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
// A refused form answers 422 or 409 on purpose (the browser logs those as failed loads).
const refusal = /status of (409|422)/;
const watch = (page, who) => {
  page.on('console', (m) => {
    if (m.type() === 'error' && !refusal.test(m.text())) problems.push(`${who} console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who} page: ${e}`));
};
const text = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ').trim();
const expect = async (page, what, where) => {
  const t = await text(page);
  if (!t.includes(what)) throw new Error(`${where}: expected “${what}” in ${t.slice(0, 400)}`);
};
const wide = { width: 1366, height: 768 };
const narrow = { width: 360, height: 740 };
const shot = (page, name) => page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
// Every page is looked at on both screens.
const both = async (page, name) => {
  await page.setViewportSize(narrow);
  await shot(page, `${name}-360`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`${name} runs ${overflow}px off a 360px screen`);
  await page.setViewportSize(wide);
  await shot(page, `${name}-1366`);
};
try {
  const desk = await (await browser.newContext({ viewport: wide })).newPage();
  watch(desk, 'editor');
  await desk.goto(`${base}/console/library`);
  await desk.fill('input[name=username]', env.ZHIJIA_EDITOR);
  await desk.fill('input[name=password]', env.ZHIJIA_STAFF_PASSWORD);
  await Promise.all([desk.waitForNavigation(), desk.click('form.stack button[type=submit]')]);
  if (!desk.url().startsWith(`${base}/console/library`)) await desk.goto(`${base}/console/library`);
  await expect(desk, '还没有书目', 'the empty library console');

  // A refused form comes back with the reason and what was typed.
  await desk.click('summary:has-text("添加书目")');
  await desk.selectOption('select[name=kind]', 'book');
  await desk.fill('input[name=title]', '平凡的世界');
  await desk.fill('input[name=author]', '路遥');
  await Promise.all([desk.waitForNavigation(), desk.click('form[action="/console/library"] button[type=submit]')]);
  await expect(desk, '借阅地点', 'the refused book');
  if (await desk.inputValue('input[name=title]') !== '平凡的世界') throw new Error('the typed title was lost');
  await desk.fill('input[name=place]', '天河区职工书屋(二楼)');
  await Promise.all([desk.waitForNavigation(), desk.click('form[action="/console/library"] button[type=submit]')]);
  await expect(desk, '草稿', 'the new book');
  await both(desk, 'console-library-item');
  await Promise.all([desk.waitForNavigation(), desk.click('form[action$="/publish"] button[type=submit]')]);
  await expect(desk, '已发布', 'the published book');
  await desk.goto(`${base}/console/library`);
  await expect(desk, '平凡的世界', 'the library console list');
  await both(desk, 'console-library');

  await desk.goto(`${base}/console/model-workers`);
  await desk.click('summary:has-text("添加劳模事迹")');
  await desk.fill('input[name=name]', '李桂英');
  await desk.fill('input[name=honour]', '全国劳动模范');
  await desk.selectOption('select[name=level]', 'national');
  await desk.fill('input[name=year]', '2020');
  await desk.fill('input[name=employer]', '广州天河电子厂');
  await desk.fill('textarea[name=story]', '扎根一线二十年。\n\n带出徒弟三十余名。');
  await Promise.all([desk.waitForNavigation(), desk.click('form[action="/console/model-workers"] button[type=submit]')]);
  await expect(desk, '未记录(不能发布)', 'the new record without consent');
  await Promise.all([desk.waitForNavigation(), desk.click('form[action$="/publish"] button[type=submit]')]);
  await expect(desk, '同意公开', 'publishing without consent is refused');
  await desk.check('input[name=consent]');
  await Promise.all([desk.waitForNavigation(), desk.click('form[action^="/console/model-workers/"]:not([action$="/publish"]) button:has-text("保存")')]);
  await Promise.all([desk.waitForNavigation(), desk.click('form[action$="/publish"] button[type=submit]')]);
  await expect(desk, '已发布', 'the published record');
  await both(desk, 'console-model-worker');
  await desk.goto(`${base}/console/model-workers`);
  await both(desk, 'console-model-workers');

  const phone = await (await browser.newContext({ viewport: narrow })).newPage();
  watch(phone, 'reader');
  await phone.goto(`${base}/library`);
  await expect(phone, '平凡的世界', 'the public shelf');
  await phone.click('p.tabs a:has-text("电子书")');
  await expect(phone, '暂无书目', 'the shelf filtered to e-books');
  await phone.click('p.tabs a:has-text("纸质图书")');
  await both(phone, 'library');
  await Promise.all([phone.waitForNavigation(), phone.click('a:has-text("平凡的世界")')]);
  await expect(phone, '天河区职工书屋(二楼)', 'the book page');
  await both(phone, 'library-item');
  await phone.goto(`${base}/model-workers?level=national`);
  await expect(phone, '李桂英', 'the showcase filtered to national honours');
  await both(phone, 'model-workers');
  await Promise.all([phone.waitForNavigation(), phone.click('a:has-text("李桂英")')]);
  await expect(phone, '带出徒弟三十余名', 'the story page');
  await both(phone, 'model-worker');
  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
}
