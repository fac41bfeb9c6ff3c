//! Merchants' side of benefits, on both backends: offers proposed by a merchant and decided by
//! the union (once, even by two reviewers at the same moment), shops with coordinates, and the
//! model-worker member tag.

use crate::aid::{Officer, staff_with};
use crate::benefit::{members, shop};
use crate::helpers::{TestDb, keys};
use crate::membership::world;
use crate::on_both;
use chrono::{Duration, Utc};
use zhijia_app::AppError;
use zhijia_app::benefit::proposal::{self, Approval};
use zhijia_app::benefit::shop::{self as shops, ShopInput};
use zhijia_app::benefit::{self, Ctx, OfferTerms};
use zhijia_domain::auth::Role;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;

/// A cashier account of `merchant`, made by the union's editor as an operator would.
pub(crate) async fn cashier(
    db: &Store,
    keys: &PiiKeys,
    editor: &Officer,
    merchant: zhijia_domain::ids::MerchantId,
    name: &str,
) -> Officer {
    let ctx = Ctx { db, keys };
    benefit::create_merchant_account(&ctx, &editor.ctx(), merchant, name, "收银员")
        .await
        .unwrap();
    let st = zhijia_store::staff::find_by_username(db, name)
        .await
        .unwrap()
        .unwrap();
    Officer {
        id: st.id,
        actor: zhijia_domain::audit::Actor {
            kind: zhijia_domain::audit::ActorKind::Staff,
            id: Some(st.id.0),
            name: name.into(),
            ip: None,
        },
        grants: zhijia_store::staff::grants(db, st.id).await.unwrap(),
    }
}

pub(crate) fn terms(title: &str) -> OfferTerms {
    OfferTerms {
        title: title.into(),
        description: "会员凭券到店使用".into(),
        kind: "fixed_amount".into(),
        value: 800,
        stock: 30,
        per_member_limit: 1,
        claim_opens_at: None,
        claim_closes_at: Some(Utc::now() + Duration::days(10)),
        valid_days: 7,
    }
}

async fn count(db: &Store, sql: &str) -> i64 {
    db.query_one(sql, &[]).await.unwrap()
}

on_both!(
    a_merchant_proposes_an_offer_and_the_union_approves_it_for_an_audience_of_its_choosing,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 5, 1, &[]).await;
        let editor = staff_with(db, "offers.city", &[(Role::Editor, &w.gz.city)]).await;
        let till = cashier(db, &keys, &editor, s.merchant, "till.1").await;
        let ctx = Ctx { db, keys: &keys };
        let now = Utc::now();

        // Refused terms are refused at once, nothing stored.
        let mut bad = terms("坏提报");
        bad.value = 0;
        let e = proposal::propose(&ctx, &till.ctx(), &bad, now)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)), "{e}");
        let id = proposal::propose(&ctx, &till.ctx(), &terms("到店立减8元"), now)
            .await
            .unwrap();
        let mine = proposal::mine(&ctx, &till.ctx(), None, None).await.unwrap();
        assert_eq!(mine.total, 1);
        assert_eq!(mine.items[0].status.as_str(), "proposed");

        // The union's editor sees it waiting and approves it for Tianhe's outdoor workers.
        let (_, waiting) = proposal::waiting(&ctx, &editor.ctx(), None, None, None)
            .await
            .unwrap();
        assert_eq!(waiting.items.iter().map(|p| p.id).collect::<Vec<_>>(), [id]);
        let offer = proposal::approve(
            &ctx,
            &editor.ctx(),
            id,
            &Approval {
                org: Some(w.gz.tianhe.id.0),
                audience_region: Some("4401".into()),
                audience_tags: vec!["outdoor".into()],
                publish: true,
            },
            now,
        )
        .await
        .unwrap();
        let o = zhijia_store::benefit::offer(db, offer)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                o.merchant_id,
                o.title.as_str(),
                o.value,
                o.stock_total,
                o.status.as_str()
            ),
            (s.merchant, "到店立减8元", 800, 30, "published")
        );
        assert_eq!(o.org_id, w.gz.tianhe.id);
        assert_eq!(o.audience_tags.as_deref(), Some("outdoor"));
        assert_eq!(o.audience_region.as_deref(), Some("4401"));
        let mine = proposal::mine(&ctx, &till.ctx(), None, None).await.unwrap();
        assert_eq!(
            (mine.items[0].status.as_str(), mine.items[0].offer_id),
            ("approved", Some(offer))
        );
        // The merchant follows it among its offers.
        let own = benefit::merchant_offers(&ctx, &till.ctx(), None, None)
            .await
            .unwrap();
        assert!(own.items.iter().any(|x| x.id == offer));
        // Decided once.
        let again = proposal::approve(&ctx, &editor.ctx(), id, &Approval::default(), now).await;
        assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
        let e = proposal::reject(&ctx, &editor.ctx(), id, "晚了", now)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e}");
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) FROM audit_log WHERE action IN ('offer.proposed', 'offer_proposal.approved')"
            )
            .await,
            2
        );
    }
);

on_both!(
    two_reviewers_approving_one_proposal_at_the_same_moment_make_one_offer,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 5, 1, &[]).await;
        let editor = staff_with(db, "offers.city", &[(Role::Editor, &w.gz.city)]).await;
        let admin = staff_with(db, "offers.prov", &[(Role::OrgAdmin, &w.gz.prov)]).await;
        let till = cashier(db, &keys, &editor, s.merchant, "till.2").await;
        let ctx = Ctx { db, keys: &keys };
        let id = proposal::propose(&ctx, &till.ctx(), &terms("双人同批"), Utc::now())
            .await
            .unwrap();
        let offers_before = count(db, "SELECT COUNT(*) FROM offer").await;
        let other = t.reopen().await;
        let mut handles = Vec::new();
        for k in 0..8 {
            let (db, keys) = (
                if k % 2 == 0 {
                    db.clone()
                } else {
                    other.clone()
                },
                keys.clone(),
            );
            let who = if k % 2 == 0 {
                editor.clone()
            } else {
                admin.clone()
            };
            handles.push(tokio::spawn(async move {
                let ctx = Ctx {
                    db: &db,
                    keys: &keys,
                };
                let approval = Approval {
                    publish: true,
                    ..Approval::default()
                };
                proposal::approve(&ctx, &who.ctx(), id, &approval, Utc::now()).await
            }));
        }
        let mut made = Vec::new();
        for h in handles {
            match h.await.unwrap() {
                Ok(offer) => made.push(offer),
                Err(AppError::Conflict(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(made.len(), 1, "exactly one approval wins");
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM offer").await,
            offers_before + 1
        );
        let p = zhijia_store::benefit::proposal::get(db, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.offer_id, Some(made[0]));
    }
);

on_both!(
    a_rejected_proposal_tells_the_merchant_why_and_others_can_neither_see_nor_decide_it,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 5, 1, &[]).await;
        let editor = staff_with(db, "offers.city", &[(Role::Editor, &w.gz.city)]).await;
        let till = cashier(db, &keys, &editor, s.merchant, "till.3").await;
        let ctx = Ctx { db, keys: &keys };
        let now = Utc::now();
        let id = proposal::propose(&ctx, &till.ctx(), &terms("全场1折"), now)
            .await
            .unwrap();
        // A district's editor below the merchant's union, and a reviewer of the city: neither
        // sees the proposal nor may decide it.
        let district = staff_with(db, "offers.yuexiu", &[(Role::Editor, &w.gz.yuexiu)]).await;
        let reviewer = staff_with(db, "reviewer.city", &[(Role::Reviewer, &w.gz.city)]).await;
        let (_, seen) = proposal::waiting(&ctx, &district.ctx(), None, None, None)
            .await
            .unwrap();
        assert!(seen.items.is_empty());
        for who in [&district, &reviewer] {
            let e = proposal::approve(&ctx, &who.ctx(), id, &Approval::default(), now)
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::NotFound(_)), "{e}");
        }
        // Another merchant's cashier cannot withdraw it; its own can't once it is decided.
        let other = zhijia_app::benefit::register_merchant(
            &ctx,
            &editor.ctx(),
            &zhijia_app::benefit::MerchantInput {
                org: Some(w.gz.city.id.0),
                name: "越秀茶楼".into(),
                credit_code: crate::membership::employer_code("440104", 901),
                address: "北京路2号".into(),
            },
            now,
        )
        .await
        .unwrap();
        let stranger = cashier(db, &keys, &editor, other, "till.4").await;
        let e = proposal::cancel(&ctx, &stranger.ctx(), id, now)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
        let e = proposal::reject(&ctx, &editor.ctx(), id, "  ", now)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(_)),
            "a reason is required: {e}"
        );
        proposal::reject(&ctx, &editor.ctx(), id, "折扣过大，请重新核定", now)
            .await
            .unwrap();
        let mine = proposal::mine(&ctx, &till.ctx(), None, None).await.unwrap();
        assert_eq!(mine.items[0].status.as_str(), "rejected");
        assert_eq!(
            mine.items[0].reason.as_deref(),
            Some("折扣过大，请重新核定")
        );
        let e = proposal::cancel(&ctx, &till.ctx(), id, now)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e}");
        // A second one the merchant withdraws itself while it waits.
        let id2 = proposal::propose(&ctx, &till.ctx(), &terms("撤回的提报"), now)
            .await
            .unwrap();
        proposal::cancel(&ctx, &till.ctx(), id2, now).await.unwrap();
        let (_, waiting) = proposal::waiting(&ctx, &editor.ctx(), None, None, None)
            .await
            .unwrap();
        assert!(waiting.items.is_empty());
        // A window that closed while the proposal waited cannot become an offer.
        let mut short = terms("过期的提报");
        short.claim_closes_at = Some(now + Duration::hours(1));
        let id3 = proposal::propose(&ctx, &till.ctx(), &short, now)
            .await
            .unwrap();
        let e = proposal::approve(
            &ctx,
            &editor.ctx(),
            id3,
            &Approval::default(),
            now + Duration::hours(2),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("截止时间已过"), "{e}");
    }
);

on_both!(
    shops_keep_their_coordinates_members_see_where_to_use_a_coupon_and_strangers_keep_out,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 5, 1, &[]).await;
        let editor = staff_with(db, "offers.city", &[(Role::Editor, &w.gz.city)]).await;
        let till = cashier(db, &keys, &editor, s.merchant, "till.5").await;
        let ctx = Ctx { db, keys: &keys };
        let now = Utc::now();
        let at = |name: &str, lng: Option<f64>, lat: Option<f64>| ShopInput {
            name: name.into(),
            address: "天河路385号".into(),
            longitude: lng,
            latitude: lat,
        };
        // A swapped pair, a lone longitude: refused, nothing stored.
        for bad in [
            at("反了", Some(23.1376), Some(113.3245)),
            at("半个", Some(113.3245), None),
        ] {
            let e = shops::add(&ctx, &editor.ctx(), s.merchant, &bad, now)
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::Invalid(_)), "{e}");
        }
        let by_union = shops::add(
            &ctx,
            &editor.ctx(),
            s.merchant,
            &at("天河城店", Some(113.324_520), Some(23.137_606)),
            now,
        )
        .await
        .unwrap();
        shops::add(
            &ctx,
            &till.ctx(),
            s.merchant,
            &at("无坐标店", None, None),
            now,
        )
        .await
        .unwrap();
        let list = shops::of_merchant(&ctx, &till.ctx(), s.merchant, None, None)
            .await
            .unwrap();
        assert_eq!(list.total, 2);
        let first = &list.items[0];
        assert_eq!(first.id, by_union);
        assert!((first.longitude.unwrap() - 113.324_520).abs() < 1e-9);
        assert!((first.latitude.unwrap() - 23.137_606).abs() < 1e-9);
        // Another district's editor and another merchant's cashier: not found.
        let district = staff_with(db, "offers.yuexiu", &[(Role::Editor, &w.gz.yuexiu)]).await;
        let e = shops::add(
            &ctx,
            &district.ctx(),
            s.merchant,
            &at("越界", None, None),
            now,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
        let e = shops::remove(&ctx, &district.ctx(), by_union)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
        // A member sees the shops beside the offer.
        let phone = members(db, &w, 1).await.remove(0);
        let seen = benefit::available(&ctx, &phone, now, None, None)
            .await
            .unwrap();
        let names: Vec<_> = seen.items[0]
            .shops
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["天河城店", "无坐标店"]);
        shops::remove(&ctx, &till.ctx(), by_union).await.unwrap();
        assert_eq!(
            shops::of_merchant(&ctx, &editor.ctx(), s.merchant, None, None)
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'shop.%'"
            )
            .await,
            3
        );
    }
);

on_both!(
    an_offer_for_model_workers_reaches_a_recorded_model_worker_and_no_one_else,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 5, 1, &["model_worker"]).await;
        let phones = members(db, &w, 2).await;
        let ctx = Ctx { db, keys: &keys };
        let now = Utc::now();
        for p in &phones {
            assert!(
                benefit::available(&ctx, p, now, None, None)
                    .await
                    .unwrap()
                    .total
                    == 0
            );
        }
        // The union records the first member's honour.
        let worker = zhijia_store::worker::find_by_phone(db, &phones[0])
            .await
            .unwrap()
            .unwrap();
        db.execute(
            "INSERT INTO model_worker (org_id, worker_id, name, honour, level, year, employer, \
             story, status, created_at) VALUES ($1, $2, '会员', '广州市劳动模范', 'city', 2025, \
             '广州天河电子厂', '十年如一日钻研工艺', 'draft', $3)",
            &[&w.factory.id.0, &worker.id.0, &now],
        )
        .await
        .unwrap();
        let seen = benefit::available(&ctx, &phones[0], now, None, None)
            .await
            .unwrap();
        assert_eq!(
            seen.items.iter().map(|o| o.offer.id).collect::<Vec<_>>(),
            [s.offer]
        );
        benefit::claim(&ctx, &phones[0], s.offer, "k1", now)
            .await
            .unwrap();
        assert!(
            benefit::available(&ctx, &phones[1], now, None, None)
                .await
                .unwrap()
                .total
                == 0
        );
        let e = benefit::claim(&ctx, &phones[1], s.offer, "k2", now)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
    }
);

on_both!(
    a_members_offers_come_a_page_at_a_time_and_count_only_what_they_may_claim,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let mut open = Vec::new();
        for _ in 0..3 {
            open.push(shop(db, &keys, &w, 5, 1, &[]).await.offer);
        }
        // Two the factory clerk is not in the audience of: outdoor workers, and Yuexiu's region.
        shop(db, &keys, &w, 5, 1, &["outdoor"]).await;
        let yuexiu_only = shop(db, &keys, &w, 5, 1, &[]).await.offer;
        db.execute(
            "UPDATE offer SET audience_region = '440104' WHERE id = $1",
            &[&yuexiu_only.0],
        )
        .await
        .unwrap();
        let phone = members(db, &w, 1).await.remove(0);
        let ctx = Ctx { db, keys: &keys };
        let now = Utc::now();
        let first = benefit::available(&ctx, &phone, now, Some(2), None)
            .await
            .unwrap();
        assert_eq!((first.total, first.items.len()), (3, 2));
        let rest = benefit::available(&ctx, &phone, now, Some(2), Some(2))
            .await
            .unwrap();
        assert_eq!((rest.total, rest.items.len()), (3, 1));
        let mut seen: Vec<zhijia_domain::ids::OfferId> = first
            .items
            .iter()
            .chain(rest.items.iter())
            .map(|o| o.offer.id)
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, open);
    }
);
