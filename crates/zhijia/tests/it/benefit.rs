//! Inclusive benefits through the use cases, on both backends: exact stock under concurrent
//! claims, the per-member limit, idempotent claims, redemption exactly once, the audience.

use crate::aid::{AidEnv, member, staff_with};
use crate::helpers::{TestDb, keys};
use crate::membership::{World, employer_code, world};
use crate::on_both;
use chrono::{Duration, Utc};
use zhijia_app::AppError;
use zhijia_app::benefit::{self, Ctx, MerchantInput, OfferInput};
use zhijia_app::caller::StaffCtx;
use zhijia_domain::auth::Role;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;

/// A merchant registered by the city's editor, and an offer of it for the Tianhe subtree.
pub struct Shop {
    pub merchant: zhijia_domain::ids::MerchantId,
    pub offer: zhijia_domain::ids::OfferId,
    /// The city editor who made them (password `aid::PASSWORD`).
    pub editor: String,
}

pub async fn shop(
    db: &Store,
    keys: &PiiKeys,
    w: &World,
    stock: i64,
    limit: i64,
    tags: &[&str],
) -> Shop {
    static SHOPS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SHOPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let editor_name = format!("editor.{n}");
    let editor = staff_with(db, &editor_name, &[(Role::Editor, &w.gz.city)]).await;
    let ctx = Ctx { db, keys };
    let merchant = match benefit::register_merchant(
        &ctx,
        &editor.ctx(),
        &MerchantInput {
            org: Some(w.gz.city.id.0),
            name: "天河便民超市".into(),
            credit_code: employer_code("440106", 900),
            address: "天河路1号".into(),
        },
        Utc::now(),
    )
    .await
    {
        Ok(id) => id,
        Err(AppError::Conflict(_)) => {
            zhijia_store::benefit::merchants(db, &w.gz.city.path, 1, 0)
                .await
                .unwrap()
                .items[0]
                .id
        }
        Err(e) => panic!("{e}"),
    };
    let now = Utc::now();
    let offer = benefit::create_offer(
        &ctx,
        &editor.ctx(),
        &OfferInput {
            org: Some(w.gz.tianhe.id.0),
            merchant_id: merchant,
            terms: zhijia_app::benefit::OfferTerms {
                title: "夏日清凉券".into(),
                kind: "fixed_amount".into(),
                value: 1000,
                stock,
                per_member_limit: limit,
                claim_opens_at: Some(now - Duration::minutes(1)),
                claim_closes_at: Some(now + Duration::hours(1)),
                valid_days: 30,
                ..Default::default()
            },
            audience_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            publish: true,
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    Shop {
        merchant,
        offer,
        editor: editor_name,
    }
}

/// `n` members of the Tianhe factory; their phones.
pub async fn members(db: &Store, w: &World, n: u16) -> Vec<String> {
    let env = AidEnv::new();
    let mut phones = Vec::new();
    for k in 0..n {
        let phone = format!("1360013{k:04}");
        member(db, &env, w, "会员", &phone, 100 + k).await;
        phones.push(phone);
    }
    phones
}

fn spawn_claim(
    db: &Store,
    keys: &PiiKeys,
    phone: String,
    offer: zhijia_domain::ids::OfferId,
    key: String,
) -> tokio::task::JoinHandle<Result<benefit::ClaimedCoupon, AppError>> {
    let (db, keys) = (db.clone(), keys.clone());
    tokio::spawn(async move {
        let ctx = Ctx {
            db: &db,
            keys: &keys,
        };
        benefit::claim(&ctx, &phone, offer, &key, Utc::now()).await
    })
}

async fn coupons_of_offer(db: &Store, offer: zhijia_domain::ids::OfferId) -> i64 {
    db.query_one(
        "SELECT COUNT(*) FROM coupon WHERE offer_id = $1",
        &[&offer.0],
    )
    .await
    .unwrap()
}

on_both!(
    five_hundred_concurrent_claims_on_a_stock_of_one_hundred_give_exactly_one_hundred_coupons,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 100, 10, &[]).await;
        let phones = members(db, &w, 50).await;
        // 50 members, 10 claims each with their own keys, all at once, half of them through a
        // second store on the same database (a second server process's own connections).
        let other = t.reopen().await;
        let mut handles = Vec::new();
        for round in 0..10 {
            for p in &phones {
                handles.push(spawn_claim(
                    if round % 2 == 0 { db } else { &other },
                    &keys,
                    p.clone(),
                    s.offer,
                    format!("{p}-{round}"),
                ));
            }
        }
        let mut won = 0;
        let mut sold_out = 0;
        for h in handles {
            match h.await.unwrap() {
                Ok(_) => won += 1,
                Err(AppError::Conflict(m)) if m.contains("抢光") => sold_out += 1,
                Err(e) => panic!("unexpected refusal: {e}"),
            }
        }
        assert_eq!((won, sold_out), (100, 400));
        assert_eq!(coupons_of_offer(db, s.offer).await, 100);
        let o = zhijia_store::benefit::offer(db, s.offer)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.stock_left, 0);
        // No member holds more than the limit.
        let most: i64 = db
            .query_one(
                "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM coupon WHERE offer_id = $1 GROUP BY worker_id) t",
                &[&s.offer.0],
            )
            .await
            .unwrap();
        assert!(most <= 10);
    }
);

on_both!(
    a_member_with_a_limit_of_one_sending_twenty_concurrent_claims_gets_one,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 100, 1, &[]).await;
        let phone = members(db, &w, 1).await.remove(0);
        let handles: Vec<_> = (0..20)
            .map(|i| spawn_claim(db, &keys, phone.clone(), s.offer, format!("try-{i}")))
            .collect();
        let mut ok = 0;
        for h in handles {
            match h.await.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Invalid(v)) => {
                    assert!(v.message.contains("限领1张"), "{}", v.message)
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(ok, 1);
        assert_eq!(coupons_of_offer(db, s.offer).await, 1);
        let o = zhijia_store::benefit::offer(db, s.offer)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.stock_left, 99, "refused claims give their stock back");
    }
);

on_both!(
    the_same_idempotency_key_twice_gives_one_coupon,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 10, 3, &[]).await;
        let phone = members(db, &w, 1).await.remove(0);
        // A retry after a lost answer, and two at the same moment from a double tap.
        let first = spawn_claim(db, &keys, phone.clone(), s.offer, "tap-1".into());
        let second = spawn_claim(db, &keys, phone.clone(), s.offer, "tap-1".into());
        let (a, b) = (
            first.await.unwrap().unwrap(),
            second.await.unwrap().unwrap(),
        );
        assert_eq!(a.code, b.code);
        let again = spawn_claim(db, &keys, phone.clone(), s.offer, "tap-1".into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.id, a.id);
        assert_eq!(coupons_of_offer(db, s.offer).await, 1);
        let o = zhijia_store::benefit::offer(db, s.offer)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.stock_left, 9);
        // A new key is a new claim, up to the limit.
        spawn_claim(db, &keys, phone.clone(), s.offer, "tap-2".into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(coupons_of_offer(db, s.offer).await, 2);
    }
);

on_both!(
    two_concurrent_redemptions_of_one_coupon_give_one_success_and_one_refusal,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 10, 1, &[]).await;
        let phone = members(db, &w, 1).await.remove(0);
        let c = spawn_claim(db, &keys, phone.clone(), s.offer, "k".into())
            .await
            .unwrap()
            .unwrap();
        let qr = c.qr.clone().expect("a usable coupon has a QR");
        assert!(qr.starts_with("ZJQ1."));
        // Two cashiers of the shop: one scans the QR, the other types the code.
        let editor = staff_with(db, "editor.accounts", &[(Role::Editor, &w.gz.city)]).await;
        let ctx = Ctx { db, keys: &keys };
        let mut cashiers = Vec::new();
        for name in ["cashier.a", "cashier.b"] {
            benefit::create_merchant_account(&ctx, &editor.ctx(), s.merchant, name, "收银员")
                .await
                .unwrap();
            let st = zhijia_store::staff::find_by_username(db, name)
                .await
                .unwrap()
                .unwrap();
            cashiers.push((
                st.id.0,
                zhijia_store::staff::grants(db, st.id).await.unwrap(),
            ));
        }
        let scans = [qr.clone(), c.code.to_lowercase()];
        let mut handles = Vec::new();
        for ((id, grants), scan) in cashiers.into_iter().zip(scans) {
            let (db, keys) = (db.clone(), keys.clone());
            handles.push(tokio::spawn(async move {
                let actor = zhijia_domain::audit::Actor {
                    kind: zhijia_domain::audit::ActorKind::Staff,
                    id: Some(id),
                    name: "收银员".into(),
                    ip: None,
                };
                let staff = StaffCtx {
                    actor: &actor,
                    grants: &grants,
                };
                benefit::redeem(
                    &Ctx {
                        db: &db,
                        keys: &keys,
                    },
                    &staff,
                    &scan,
                    Utc::now(),
                )
                .await
            }));
        }
        let mut ok = Vec::new();
        let mut refused = Vec::new();
        for h in handles {
            match h.await.unwrap() {
                Ok(r) => ok.push(r),
                Err(e) => refused.push(e.to_string()),
            }
        }
        assert_eq!(ok.len(), 1, "{refused:?}");
        assert_eq!(refused.len(), 1);
        assert!(refused[0].contains("核销"), "{}", refused[0]);
        // The merchant sees the masked name and the member number only.
        assert_eq!(ok[0].member_name, "会*");
        assert!(ok[0].member_no.is_some());
        let used = zhijia_store::benefit::by_code(db, &c.code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(used.status.as_str(), "redeemed");
        // Another merchant's cashier is told where the coupon belongs.
        let other = benefit::register_merchant(
            &ctx,
            &editor.ctx(),
            &MerchantInput {
                org: Some(w.gz.city.id.0),
                name: "越秀书店".into(),
                credit_code: employer_code("440104", 901),
                address: "北京路2号".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        benefit::create_merchant_account(&ctx, &editor.ctx(), other, "cashier.c", "收银员")
            .await
            .unwrap();
        let st = zhijia_store::staff::find_by_username(db, "cashier.c")
            .await
            .unwrap()
            .unwrap();
        let grants = zhijia_store::staff::grants(db, st.id).await.unwrap();
        let actor = zhijia_domain::audit::Actor {
            kind: zhijia_domain::audit::ActorKind::Staff,
            id: Some(st.id.0),
            name: "收银员".into(),
            ip: None,
        };
        let e = benefit::redeem(
            &ctx,
            &StaffCtx {
                actor: &actor,
                grants: &grants,
            },
            &c.code,
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("天河便民超市"), "{e}");
    }
);

on_both!(
    a_member_outside_the_audience_neither_sees_nor_can_claim_the_offer,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        // An offer for Tianhe's outdoor workers only.
        let s = shop(db, &keys, &w, 10, 1, &["outdoor"]).await;
        let factory_worker = members(db, &w, 1).await.remove(0);
        let ctx = Ctx { db, keys: &keys };
        assert!(
            benefit::available(&ctx, &factory_worker, Utc::now(), None, None)
                .await
                .unwrap()
                .total
                == 0
        );
        let e = benefit::claim(&ctx, &factory_worker, s.offer, "k", Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
        // An offer for everyone in Tianhe: the factory member sees it; a Yuexiu shop member
        // does not.
        let open = shop(db, &keys, &w, 10, 1, &[]).await;
        let seen = benefit::available(&ctx, &factory_worker, Utc::now(), None, None)
            .await
            .unwrap();
        assert_eq!(
            seen.items.iter().map(|o| o.offer.id).collect::<Vec<_>>(),
            [open.offer]
        );
        let env = AidEnv::new();
        let yuexiu_phone = "13600139999";
        let id = crate::membership::id_number("440104", (1990, 2, 2), 31);
        let sub = zhijia_app::membership::join::apply(
            &env.env.ctx(db),
            yuexiu_phone,
            &crate::membership::employee("陈七", &id, "越秀百货", &w.shop_code),
            Utc::now(),
        )
        .await
        .unwrap();
        let reviewer = crate::membership::Reviewer::of(&w.shop, Role::Reviewer);
        zhijia_app::membership::join::decide(
            &env.env.ctx(db),
            &reviewer.ctx(),
            sub.application_id,
            zhijia_app::membership::join::Decision::Approve,
            Utc::now(),
        )
        .await
        .unwrap();
        assert!(
            benefit::available(&ctx, yuexiu_phone, Utc::now(), None, None)
                .await
                .unwrap()
                .total
                == 0
        );
        let e = benefit::claim(&ctx, yuexiu_phone, open.offer, "k", Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
        // Not a member at all: told to join.
        let e = benefit::available(&ctx, "13700000001", Utc::now(), None, None)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::NotFound(_) | AppError::Forbidden(_)),
            "{e}"
        );
    }
);

on_both!(
    the_job_runner_marks_coupons_past_their_validity_expired_and_they_cannot_be_redeemed,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 10, 1, &[]).await;
        let phone = members(db, &w, 1).await.remove(0);
        let c = spawn_claim(db, &keys, phone.clone(), s.offer, "k".into())
            .await
            .unwrap()
            .unwrap();
        // 31 days later (valid 30), the runner's period job marks it.
        let later = Utc::now() + Duration::days(31);
        let env = crate::membership::Env::new();
        let cases = zhijia_app::case::Settings::default();
        let jobs = env.jobs(db, &cases);
        zhijia_app::job::schedule(&jobs, later).await.unwrap();
        zhijia_app::job::run_due(&jobs, "runner", later)
            .await
            .unwrap();
        let after = zhijia_store::benefit::by_code(db, &c.code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.status.as_str(), "expired");
        let ctx = Ctx { db, keys: &keys };
        let mine = benefit::my_coupons(&ctx, &phone, None, None, later)
            .await
            .unwrap();
        assert!(mine.items[0].qr.is_none(), "no QR for an expired coupon");
        // The shop's cashier types the code: refused, and the coupon stays expired.
        let editor = staff_with(db, "editor.expiry", &[(Role::Editor, &w.gz.city)]).await;
        let till = crate::merchant::cashier(db, &keys, &editor, s.merchant, "cashier.x").await;
        let cashier = till.ctx();
        for at in [later, Utc::now()] {
            let e = benefit::redeem(&ctx, &cashier, &c.code, at)
                .await
                .unwrap_err();
            assert_eq!(e.code(), "conflict", "{e}");
        }
        let still = zhijia_store::benefit::by_code(db, &c.code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(still.status.as_str(), "expired");
        assert!(still.redeemed_at.is_none());
    }
);
