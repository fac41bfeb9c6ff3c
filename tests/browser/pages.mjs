// Every page of zhijia the gates check (gates.mjs), in one place: a new page is checked by
// adding a line here. `face` is `worker` (phone first: 360 px, touch, 44 px targets, elder mode,
// 200 % zoom, weight) or `console` (1366 px desk: axe and overflow). `who` is who opens it:
// `anon`, a worker by phone number (signed in by SMS code on the demo site), or a staff account.
// `follow` opens the first link matching a selector on `path` (detail pages need real ids).
//
// The demo's workers (crates/zhijia-app/src/demo): 19900000002 is a member, 19900000000 waits for
// review, 19900010000 filed a case; 13700000001 is new to the site.
export const MEMBER = '19900000002';
export const PENDING = '19900000000';
export const CASE_FILER = '19900010000';
export const NEWCOMER = '13700000001';

export const pages = [
  // The worker's face.
  { name: 'home', face: 'worker', who: 'anon', path: '/' },
  { name: 'sign-in', face: 'worker', who: 'anon', path: '/sign-in' },
  { name: 'home-member', face: 'worker', who: MEMBER, path: '/' },
  { name: 'join', face: 'worker', who: NEWCOMER, path: '/join' },
  { name: 'join-employee', face: 'worker', who: NEWCOMER, path: '/join?path=employee' },
  { name: 'join-gig', face: 'worker', who: NEWCOMER, path: '/join?path=gig' },
  { name: 'join-pending', face: 'worker', who: PENDING, path: '/join' },
  { name: 'membership', face: 'worker', who: MEMBER, path: '/membership' },
  { name: 'membership-pending', face: 'worker', who: PENDING, path: '/membership' },
  { name: 'card', face: 'worker', who: MEMBER, path: '/card' },
  { name: 'card-pending', face: 'worker', who: PENDING, path: '/card' },
  { name: 'leave', face: 'worker', who: MEMBER, path: '/membership/leave' },
  { name: 'card-none', face: 'worker', who: NEWCOMER, path: '/card' },
  { name: 'me', face: 'worker', who: MEMBER, path: '/me' },
  { name: 'points', face: 'worker', who: MEMBER, path: '/points' },
  { name: 'cases', face: 'worker', who: CASE_FILER, path: '/cases' },
  { name: 'case', face: 'worker', who: CASE_FILER, path: '/cases', follow: 'main a[href^="/cases/"]:not([href="/cases/new"])' },
  { name: 'case-new', face: 'worker', who: MEMBER, path: '/cases/new' },
  { name: 'aid-mine', face: 'worker', who: MEMBER, path: '/aid/mine' },
  { name: 'aid-application', face: 'worker', who: MEMBER, path: '/aid/mine', follow: 'main a[href^="/aid/mine/"]' },
  { name: 'aid-apply', face: 'worker', who: MEMBER, path: '/aid/apply' },
  { name: 'aid-apply-outsider', face: 'worker', who: NEWCOMER, path: '/aid/apply' },
  { name: 'aid-notice', face: 'worker', who: 'anon', path: '/aid/notice' },
  { name: 'aid-objection', face: 'worker', who: MEMBER, path: '/aid/notice', follow: 'main a[href$="/objection"]' },
  { name: 'aid-objection-done', face: 'worker', who: MEMBER, path: '/aid/notice', follow: 'main a[href$="/objection"]', then: '/done' },
  { name: 'benefits', face: 'worker', who: MEMBER, path: '/benefits' },
  { name: 'coupons', face: 'worker', who: MEMBER, path: '/benefits/coupons' },
  { name: 'mall', face: 'worker', who: MEMBER, path: '/mall' },
  { name: 'activities', face: 'worker', who: MEMBER, path: '/activities' },
  { name: 'activity', face: 'worker', who: MEMBER, path: '/activities', follow: 'main a[href^="/activities/"]:not([href="/activities/mine"])' },
  { name: 'activities-mine', face: 'worker', who: MEMBER, path: '/activities/mine' },
  { name: 'library', face: 'worker', who: 'anon', path: '/library' },
  { name: 'library-item', face: 'worker', who: 'anon', path: '/library', follow: 'main a[href^="/library/"]' },
  { name: 'model-workers', face: 'worker', who: 'anon', path: '/model-workers' },
  { name: 'model-worker', face: 'worker', who: 'anon', path: '/model-workers', follow: 'main a[href^="/model-workers/"]' },
  { name: 'news', face: 'worker', who: MEMBER, path: '/news' },
  { name: 'news-outsider', face: 'worker', who: NEWCOMER, path: '/news' },
  { name: 'news-article', face: 'worker', who: MEMBER, path: '/news', follow: 'main a[href^="/news/"]' },
  { name: 'news-channel', face: 'worker', who: MEMBER, path: '/news', follow: 'main a[href^="/channels/"]' },
  { name: 'knowledge', face: 'worker', who: 'anon', path: '/knowledge' },
  { name: 'knowledge-answer', face: 'worker', who: 'anon', path: '/knowledge?topic=injury', follow: 'main a[href^="/knowledge/"]' },
  // Needs the article pages and their demo data (the `article` branch): the comments under the
  // first article of the feed.
  { name: 'news-comments', face: 'worker', who: MEMBER, path: '/news', follow: 'main a[href^="/news/"]', then: '/comments' },
  { name: 'card-verify', face: 'worker', who: 'anon', path: '/cards/verify' },
  { name: 'not-found', face: 'worker', who: 'anon', path: '/no-such-page', status: 404 },

  // A cashier's phone.
  { name: 'merchant-redeem', face: 'worker', who: 'demo.merchant', path: '/merchant/redeem' },
  { name: 'merchant-offers', face: 'worker', who: 'demo.merchant', path: '/merchant/offers' },
  { name: 'merchant-proposals', face: 'worker', who: 'demo.merchant', path: '/merchant/proposals' },
  { name: 'merchant-redemptions', face: 'worker', who: 'demo.merchant', path: '/merchant/redemptions' },
  { name: 'merchant-shops', face: 'worker', who: 'demo.merchant', path: '/merchant/shops' },

  // The union office's desk.
  { name: 'console-sign-in', face: 'console', who: 'anon', path: '/console/sign-in' },
  { name: 'console', face: 'console', who: 'demo.admin', path: '/console' },
  { name: 'console-applications', face: 'console', who: 'demo.admin', path: '/console/applications' },
  { name: 'console-application', face: 'console', who: 'demo.admin', path: '/console/applications', follow: 'main a[href^="/console/applications/"]' },
  { name: 'console-roster', face: 'console', who: 'demo.admin', path: '/console/roster' },
  { name: 'console-roster-import', face: 'console', who: 'demo.admin', path: '/console/roster/import' },
  { name: 'console-member', face: 'console', who: 'demo.admin', path: '/console/roster', follow: 'main a[href^="/console/members/"]' },
  { name: 'console-transfers', face: 'console', who: 'demo.admin', path: '/console/transfers' },
  { name: 'console-cases', face: 'console', who: 'demo.admin', path: '/console/cases' },
  { name: 'console-case', face: 'console', who: 'demo.admin', path: '/console/cases', follow: 'main a[href^="/console/cases/"]:not([href="/console/cases/new"])' },
  { name: 'console-case-new', face: 'console', who: 'demo.admin', path: '/console/cases/new' },
  { name: 'console-case-stats', face: 'console', who: 'demo.admin', path: '/console/case-stats' },
  { name: 'console-aid', face: 'console', who: 'demo.admin', path: '/console/aid' },
  { name: 'console-aid-file', face: 'console', who: 'demo.admin', path: '/console/aid', follow: 'main a[href^="/console/aid/files/"]' },
  { name: 'console-aid-applications', face: 'console', who: 'demo.admin', path: '/console/aid/applications' },
  { name: 'console-aid-application', face: 'console', who: 'demo.admin', path: '/console/aid/applications', follow: 'main a[href^="/console/aid/applications/"]' },
  { name: 'console-aid-ledger', face: 'console', who: 'demo.admin', path: '/console/aid/ledger' },
  { name: 'console-offers', face: 'console', who: 'demo.admin', path: '/console/offers' },
  { name: 'console-merchant-shops', face: 'console', who: 'demo.admin', path: '/console/offers', follow: 'main a[href^="/console/merchants/"]' },
  { name: 'console-mall', face: 'console', who: 'demo.admin', path: '/console/mall' },
  { name: 'console-activities', face: 'console', who: 'demo.admin', path: '/console/activities' },
  { name: 'console-activity', face: 'console', who: 'demo.admin', path: '/console/activities', follow: 'main a[href^="/console/activities/"]' },
  { name: 'console-library', face: 'console', who: 'demo.admin', path: '/console/library' },
  { name: 'console-library-item', face: 'console', who: 'demo.admin', path: '/console/library', follow: 'main a[href^="/console/library/"]' },
  { name: 'console-news', face: 'console', who: 'demo.admin', path: '/console/news' },
  { name: 'console-news-new', face: 'console', who: 'demo.admin', path: '/console/news/new' },
  { name: 'console-news-article', face: 'console', who: 'demo.admin', path: '/console/news', follow: 'main table a[href^="/console/news/"]' },
  { name: 'console-news-review', face: 'console', who: 'demo.admin', path: '/console/news/review' },
  { name: 'console-news-reviewing', face: 'console', who: 'demo.admin', path: '/console/news/review', follow: 'main table a[href^="/console/news/"]' },
  { name: 'console-channel', face: 'console', who: 'demo.admin', path: '/console/channel' },
  { name: 'console-model-workers', face: 'console', who: 'demo.admin', path: '/console/model-workers' },
  { name: 'console-model-worker', face: 'console', who: 'demo.admin', path: '/console/model-workers', follow: 'main a[href^="/console/model-workers/"]' },
  { name: 'console-comments', face: 'console', who: 'demo.admin', path: '/console/comments' },
  { name: 'console-deletion-requests', face: 'console', who: 'demo.admin', path: '/console/deletion-requests' },
  { name: 'console-org', face: 'console', who: 'demo.admin', path: '/console', follow: 'main a[href^="/console/orgs/"]' },
  { name: 'console-org-audit', face: 'console', who: 'demo.admin', path: '/console', follow: 'main a[href^="/console/orgs/"]', then: '/audit' },
  { name: 'console-org-grants', face: 'console', who: 'demo.admin', path: '/console', follow: 'main a[href^="/console/orgs/"]', then: '/grants' },
];
