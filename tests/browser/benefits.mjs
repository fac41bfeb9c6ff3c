// Drives Debian's chromium through playwright-core against a demo-mode zhijia server: a member
// on a phone-sized screen sees a live countdown to an offer, claims a coupon and sees where to
// use it and its QR; the merchant's cashier scans that QR with the (fake) camera of a second
// browser, whose video is a frame made from the member's screen, which redeems it; the cashier
// proposes a new offer; the union's editor approves it from the console for outdoor workers;
// the member's coupon then shows as redeemed, and the public model-worker showcase opens
// without signing in. No page may log an error.
// Usage: node benefits.mjs BASE_URL OUT_DIR (ZHIJIA_PHONE, ZHIJIA_CASHIER, ZHIJIA_EDITOR,
// ZHIJIA_STAFF_PASSWORD in the environment)
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [, , base, outDir] = process.argv;
const env = process.env;
const launch = (extra) => chromium.launch({
  executablePath: env.ZHIJIA_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extra],
});
const browser = await launch([]);
let camera = null;
const problems = [];
const watch = (page, who) => {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${who} console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${who} page: ${e}`));
};
const text = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ').trim();
const staffPage = async (who, username, url, on = browser) => {
  const page = await (await on.newContext({ permissions: ['camera'] })).newPage();
  watch(page, who);
  await page.goto(`${base}${url}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', env.ZHIJIA_STAFF_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form.stack button[type=submit]')]);
  if (!page.url().startsWith(`${base}${url}`)) await page.goto(`${base}${url}`);
  return page;
};
try {
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  watch(phone, 'member');
  await phone.goto(`${base}/sign-in`);
  await phone.fill('input[name=phone]', env.ZHIJIA_PHONE);
  await phone.click('form.stack button[type=submit]');
  const code = (await phone.locator('.banner strong').textContent()).trim();
  await phone.fill('input[name=code]', code);
  await phone.click('form[action="/sign-in/verify"] button[type=submit]');
  await phone.waitForURL(`${base}/`);
  await phone.goto(`${base}/benefits`);
  const countdown = phone.locator('[data-countdown]');
  const first = (await countdown.textContent()).trim();
  await phone.waitForTimeout(1500);
  const later = (await countdown.textContent()).trim();
  if (!/^\d{2}:\d{2}:\d{2}$/.test(later) || later === first || !later.startsWith('00:09')) {
    throw new Error(`the countdown does not tick: ${first} → ${later}`);
  }
  await phone.click('summary:has-text("适用门店")');
  const map = await phone.locator('a:has-text("地图")').first().getAttribute('href');
  if (!map.startsWith('https://uri.amap.com/marker?position=')) throw new Error(`map link: ${map}`);
  await phone.screenshot({ path: `${outDir}/benefits.png`, fullPage: true });
  await phone.click('form[action$="/claim"] button[type=submit]');
  await phone.waitForURL(`${base}/benefits/coupons`);
  await phone.waitForSelector('.qr svg');
  await phone.screenshot({ path: `${outDir}/coupon.png`, fullPage: true });

  // The member's QR as the cashier's camera would see it: drawn from the page's SVG onto a
  // 640×480 white frame, written as a one-frame Y4M video that chromium's fake camera loops.
  const svg = await phone.locator('.qr svg').first().evaluate((el) => el.outerHTML);
  const painter = await (await browser.newContext()).newPage();
  const luma = await painter.evaluate(async (svg) => {
    const [W, H, S] = [640, 480, 360];
    const img = new Image();
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, W, H);
    g.drawImage(img, (W - S) / 2, (H - S) / 2, S, S);
    const d = g.getImageData(0, 0, W, H).data;
    const y = new Array(W * H);
    for (let i = 0; i < W * H; i += 1) {
      y[i] = Math.round(16 + 0.257 * d[4 * i] + 0.504 * d[4 * i + 1] + 0.098 * d[4 * i + 2]);
    }
    return y;
  }, svg);
  const video = `${outDir}/coupon-qr.y4m`;
  writeFileSync(video, Buffer.concat([
    Buffer.from('YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\nFRAME\n'),
    Buffer.from(luma),
    Buffer.alloc(640 * 480 / 2, 128),
  ]));
  camera = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`]);
  const till = await staffPage('cashier', env.ZHIJIA_CASHIER, '/merchant/redeem', camera);
  await till.click('button.scan');
  await till.waitForSelector('.verdict', { timeout: 20000 });
  const redeemed = await text(till);
  // The field was empty: only the camera could have filled it.
  if (!redeemed.includes('核销成功：夏日清凉券')) throw new Error(`after scanning: ${redeemed.slice(0, 300)}`);
  await till.screenshot({ path: `${outDir}/redeemed.png`, fullPage: true });
  await till.goto(`${base}/merchant/proposals`);
  await till.click('summary:has-text("提报新优惠")');
  await till.fill('input[name=title]', '浏览器里提报的清凉券');
  await till.selectOption('select[name=kind]', 'free_item');
  await till.fill('input[name=value]', '0');
  await till.fill('input[name=stock]', '40');
  await till.fill('input[name=claim_closes_at]', '2099-08-31T22:00');
  await till.click('form[action="/merchant/proposals"] button[type=submit]');
  const proposed = await text(till);
  if (!proposed.includes('待工会审核')) throw new Error(`after proposing: ${proposed.slice(0, 300)}`);

  const desk = await staffPage('editor', env.ZHIJIA_EDITOR, '/console/offers');
  const card = desk.locator('div.card:has-text("浏览器里提报的清凉券")');
  await card.locator('summary:has-text("通过并设定面向会员")').click();
  await card.locator('input[name=tag_outdoor]').check();
  await card.locator('input[name=publish]').check();
  await card.locator('form[action$="/approve"] button[type=submit]').click();
  await desk.waitForURL(/\/console\/offers/);
  const console_ = await text(desk);
  if (!console_.includes('没有待审核的提报') || !console_.includes('浏览器里提报的清凉券')) {
    throw new Error(`after approving: ${console_.slice(0, 400)}`);
  }

  await till.goto(`${base}/merchant/proposals`);
  if (!(await text(till)).includes('已通过')) throw new Error('the merchant does not see the approval');
  await phone.goto(`${base}/benefits/coupons`);
  if (!(await text(phone)).includes('已核销')) throw new Error('the coupon is not shown as redeemed');
  await phone.goto(`${base}/model-workers`);
  if (!(await text(phone)).includes('劳模风采')) throw new Error('the showcase did not open');
  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
  if (camera) await camera.close();
}
