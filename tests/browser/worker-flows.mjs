// The worker's membership flows on a cheap phone (360×740, touch), in Debian's chromium through
// playwright-core, against a demo-mode zhijia server (issue 13):
// - a worker opens 网上入会, is sent to sign in and comes back to it; on the employee path the
//   employer is picked from suggestions, its credit code filled in; then the gig path,
//   picks the city from the region lists and the occupation from its list, never typing a code;
// - the pending applicant's card page explains the state;
// - a member trying to leave is asked to confirm and to give a reason;
// each flow photographed at 360 px in normal and elder mode (flow-<name>-360[-elder].png).
// Usage: node worker-flows.mjs BASE_URL OUT_DIR (ZHIJIA_GIG_ID_NUMBER, ZHIJIA_GIG_PHONE,
// ZHIJIA_MEMBER_PHONE, ZHIJIA_COURIER_UNION, ZHIJIA_FACTORY_CODE in the environment)
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
    // A refused form answers 422 on purpose; anything else logged as an error is a fault.
    if (m.type() === 'error' && !/status of 42[29]/.test(m.text())) problems.push(`${who} console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who} page: ${e}`));
};
const text = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ').trim();
const phoneContext = () => browser.newContext({
  viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1,
});

// Nothing runs off the side of the screen.
async function fits(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 360) throw new Error(`${what}: the page is ${wide}px wide on a 360px screen`);
}

// Elder mode is a link in every header, remembered in a cookie, coming back to this page.
async function elder(page, on) {
  const here = new URL(page.url());
  await page.goto(`${base}/prefs/elder?on=${on ? 1 : 0}&next=${encodeURIComponent(here.pathname + here.search)}`);
  const isOn = await page.evaluate(() => document.documentElement.classList.contains('elder'));
  if (isOn !== on) throw new Error(`elder mode did not switch ${on ? 'on' : 'off'} at ${page.url()}`);
}

async function shoot(page, name) {
  await fits(page, name);
  await page.screenshot({ path: `${outDir}/flow-${name}-360.png`, fullPage: true });
}

async function shootElder(page, name) {
  await elder(page, true);
  await fits(page, `${name} (elder)`);
  await page.screenshot({ path: `${outDir}/flow-${name}-360-elder.png`, fullPage: true });
  await elder(page, false);
}

// SMS sign-in as the demo shows the code; the page then goes where the worker was going.
async function signIn(page, phone, wanted, shots = false) {
  await page.goto(`${base}${wanted}`);
  if (!page.url().includes('/sign-in?next=')) throw new Error(`not asked to sign in first: ${page.url()}`);
  await page.fill('input[name=phone]', phone);
  await page.locator('form[action="/sign-in/code"] button[type=submit]').tap();
  const code = (await page.locator('.banner strong').textContent()).trim();
  // The resend button counts down instead of being pressed too early.
  const resend = page.locator('button[data-wait]');
  if (!(await resend.isDisabled())) throw new Error('重新获取验证码 is usable before 60 s');
  if (!/\d+秒/.test(await resend.textContent())) throw new Error(`no countdown: ${await resend.textContent()}`);
  if (shots) {
    await page.fill('input[name=code]', '12');
    await shoot(page, 'sign-in');
    // The code step is the answer to a post: elder mode is switched on the sign-in page, and
    // asking again within 60 s is refused, back on the code step with the phone kept.
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(wanted)}`);
    await shootElder(page, 'sign-in');
    await page.fill('input[name=phone]', phone);
    await page.locator('form[action="/sign-in/code"] button[type=submit]').tap();
    await page.locator('main .error').waitFor();
    if ((await page.inputValue('input[name=phone]')) !== phone) throw new Error('the phone was lost');
  }
  await page.fill('input[name=code]', code);
  await page.locator('form[action="/sign-in/verify"] button[type=submit]').tap();
  await page.waitForURL(`${base}${wanted}`);
}

try {
  // ---- a gig worker joins, choosing from lists ----
  const gig = await (await phoneContext()).newPage();
  watch(gig, 'gig worker');
  await signIn(gig, env.ZHIJIA_GIG_PHONE, '/join', true);
  await shoot(gig, 'join-path');
  await shootElder(gig, 'join-path');
  // The employee path finds the employer by name: the suggestion fills its credit code.
  await gig.goto(`${base}/join?path=employee`);
  if (await gig.locator('select[name=gig_occupation]').count()) throw new Error('the employee path shows gig fields');
  await gig.locator('input[name=employer_name]').pressSequentially('天河电子');
  await gig.locator('#employer-list option[value="广州天河电子厂"]').waitFor({ state: 'attached' });
  await gig.fill('input[name=employer_name]', '广州天河电子厂');
  const filled = await gig.inputValue('input[name=employer_credit_code]');
  if (filled !== env.ZHIJIA_FACTORY_CODE) throw new Error(`picking the employer filled "${filled}"`);
  await gig.goto(`${base}/join`);
  await gig.locator('a[href="/join?path=gig"]').tap();
  await gig.waitForURL(`${base}/join?path=gig`);
  if (await gig.locator('input[name=employer_name], input[name=employer_credit_code]').count()) {
    throw new Error('the gig path shows the employee fields');
  }

  const fill = async () => {
    await gig.fill('input[name=name]', '骑手小王');
    await gig.fill('input[name=id_number]', env.ZHIJIA_GIG_ID_NUMBER);
    await gig.selectOption('select[name=gig_occupation]', { label: '快递员' });
    const city = gig.locator('fieldset.region[data-depth="2"]');
    await city.locator('select').nth(0).selectOption({ label: '广东省' });
    await city.locator('select').nth(1).locator('option', { hasText: '广州市' }).waitFor({ state: 'attached' });
    await city.locator('select').nth(1).selectOption({ label: '广州市' });
    for (const name of ['wage_earner', 'accepts_constitution', 'consent']) {
      await gig.locator(`label.choice:has(input[name=${name}])`).tap();
    }
  };
  await fill();
  // The city came from the lists: the form holds its code, the worker never typed one.
  const cityCode = await gig.inputValue('fieldset.region[data-depth="2"] input[type=hidden]');
  if (cityCode !== '440100') throw new Error(`work_city is ${cityCode}`);
  const typed = await gig.locator('form[action="/join"] input:visible:not([type=checkbox]):not([type=radio])')
    .evaluateAll((els) => els.map((e) => e.name));
  const codeFields = typed.filter((n) => /code|org_id|region|city/.test(n));
  if (codeFields.length) throw new Error(`fields asking for a code: ${codeFields}`);
  if (/如 ?\d{6}|编号/.test(await text(gig))) throw new Error('the form asks for a number');
  for (const name of ['wage_earner', 'accepts_constitution', 'consent']) {
    if (!(await gig.isChecked(`input[name=${name}]`))) throw new Error(`tapping the row did not tick ${name}`);
  }
  await shoot(gig, 'join');
  // Once more in elder mode, submitted from there.
  await elder(gig, true);
  await fill();
  await fits(gig, 'join (elder)');
  await gig.screenshot({ path: `${outDir}/flow-join-360-elder.png`, fullPage: true });
  await gig.locator('form[action="/join"] button[type=submit]').tap();
  await gig.waitForURL(`${base}/membership`);
  await elder(gig, false);
  const mine = await text(gig);
  if (!mine.includes('入会申请审核中') || !mine.includes(env.ZHIJIA_COURIER_UNION)) {
    throw new Error(`after applying: ${mine.slice(0, 400)}`);
  }
  if (await gig.locator('main a[href="/join"]').count()) throw new Error('申请入会 offered while pending');
  await shoot(gig, 'membership-pending');
  await shootElder(gig, 'membership-pending');

  // ---- the pending applicant's card page ----
  await gig.goto(`${base}/`);
  await gig.locator('a.tile[href="/card"]').tap();
  await gig.waitForURL(`${base}/card`);
  const card = await text(gig);
  if (!card.includes('入会申请审核中') || !card.includes('预计') || !card.includes(env.ZHIJIA_COURIER_UNION)) {
    throw new Error(`card page of a pending applicant: ${card.slice(0, 400)}`);
  }
  if (await gig.locator('meta[http-equiv=refresh]').count()) throw new Error('the card page refreshes itself');
  await shoot(gig, 'card-pending');
  await shootElder(gig, 'card-pending');

  // ---- a member leaves: confirm, with a reason ----
  const member = await (await phoneContext()).newPage();
  watch(member, 'member');
  await signIn(member, env.ZHIJIA_MEMBER_PHONE, '/membership');
  await member.locator('a[href="/membership/leave"]').tap();
  await member.waitForURL(`${base}/membership/leave`);
  const confirm = await text(member);
  if (!confirm.includes('电子会员卡立即失效') || !confirm.includes('退会原因')) {
    throw new Error(`no confirm step: ${confirm.slice(0, 400)}`);
  }
  await shoot(member, 'leave');
  await shootElder(member, 'leave');
  // Without a reason nothing ends.
  await member.locator('form[action="/membership/leave"] button[type=submit]').tap();
  await member.locator('main .error', { hasText: '请选择退会原因' }).waitFor({ timeout: 10000 })
    .catch(async () => { throw new Error(`left without a reason? ${(await text(member)).slice(0, 300)}`); });
  await shoot(member, 'leave-error');
  await member.goto(`${base}/card`);
  if (!(await member.locator('.qr svg').count())) throw new Error('the card stopped before leaving');
  await member.goto(`${base}/membership/leave`);
  await member.locator('label.choice', { hasText: '个人原因' }).tap();
  await member.fill('textarea[name=detail]', '工作太忙');
  await member.locator('form[action="/membership/leave"] button[type=submit]').tap();
  await member.waitForURL(`${base}/membership`);
  const after = await text(member);
  if (!after.includes('您目前没有有效会籍') || !after.includes('个人原因；工作太忙')) {
    throw new Error(`after leaving: ${after.slice(0, 400)}`);
  }

  if (problems.length) throw new Error(problems.join('\n'));
  console.log('browser: ok');
} finally {
  await browser.close();
}
