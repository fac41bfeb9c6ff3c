// Drives Debian's chromium through playwright-core against a running zhijia server:
// the staff console's org tree opens branches in place (htmx, under the site's CSP), links lead
// to org pages, search works, and no page logs an error. Usage: node org-tree.mjs BASE_URL OUT_DIR
import { chromium } from 'playwright-core';

const [, , base, outDir] = process.argv;
const browser = await chromium.launch({
  executablePath: process.env.ZHIJIA_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
try {
  // A cheap phone's screen.
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page: ${e}`));

  // A branch is its name's link and a <details> whose toggle loads its children once, on opening.
  const node = (name) => page.locator('li', { has: page.locator(':scope > .node > a', { hasText: name }) }).first();
  const openBranch = async (name, child) => {
    await node(name).locator(':scope > details > summary > .toggle').click();
    await node(name).locator(':scope > details > ul.tree a', { hasText: child }).first().waitFor({ timeout: 5000 });
  };
  const closeBranch = async (name, child) => {
    await node(name).locator(':scope > details > summary > .toggle').click();
    await node(name).locator(':scope > details > ul.tree a', { hasText: child }).first().waitFor({ state: 'hidden', timeout: 5000 });
  };

  // The console asks for sign-in first.
  await page.goto(`${base}/console`);
  await page.fill('input[name=username]', process.env.ZHIJIA_USER);
  await page.fill('input[name=password]', process.env.ZHIJIA_PASSWORD);
  await page.click('form.stack button[type=submit]');
  await page.waitForURL(/\/console$/).catch(async (e) => {
    throw new Error(`sign-in did not reach the console: at ${page.url()}: ${(await page.locator('main').textContent()).trim().slice(0, 300)}`);
  });
  await openBranch('中华全国总工会', '广东省总工会');
  await openBranch('广东省总工会', '广州市总工会');
  await closeBranch('广东省总工会', '广州市总工会');
  await openBranch('广东省总工会', '深圳市总工会');
  await node('广州市总工会').locator(':scope > .node > a').click();
  await page.waitForURL(/\/console\/orgs\/\d+$/);
  const title = await page.locator('main h1').textContent();
  if (!title.includes('广州市总工会')) throw new Error(`org page shows “${title}”`);

  await page.fill('input[name=q]', '天河');
  await page.click('form.search button[type=submit]');
  await page.locator('ul.list a', { hasText: '广州市天河区总工会' }).waitFor({ timeout: 5000 });
  await page.screenshot({ path: `${outDir}/console.png`, fullPage: true });

  await page.goto(`${base}/`);
  const tiles = await page.locator('.tile').count();
  if (tiles < 12) throw new Error(`home page shows ${tiles} module tiles`);
  await page.screenshot({ path: `${outDir}/home.png`, fullPage: true });

  await page.goto(`${base}/no/such/page`);
  if (!(await page.locator('body').textContent()).includes('返回首页')) throw new Error('404 page');
  // The 404 page answers with status 404, which the browser logs; that one is expected.
  problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('404')));
} finally {
  await browser.close();
}
if (problems.length) throw new Error(problems.join('\n'));
console.log('browser: ok');
