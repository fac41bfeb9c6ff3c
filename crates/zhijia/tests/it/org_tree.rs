//! The union tree as staff use it: create, rename, move, subtree.

use crate::helpers::{TestDb, actor, input, org, reload};
use crate::on_both;
use std::collections::{BTreeSet, HashMap};
use zhijia_app::{AppError, org as uc};
use zhijia_domain::org::OrgId;
use zhijia_store::org::Org;

on_both!(
    an_invalid_credit_code_is_refused_with_a_chinese_message_naming_the_field,
    |t: TestDb| async move {
        let db = &t.store;
        let prov = org(db, "广东省总工会", "province", None, "440000").await;
        let mut bad = input("广州市总工会", "city", Some(&prov), "440100");
        bad.credit_code = Some("81440100MC00000039".into()); // wrong check character
        let err = uc::create(db, &bad, &actor()).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)));
        assert_eq!(err.field(), Some("credit_code"));
        assert!(err.to_string().contains("统一社会信用代码"), "{err}");
        assert!(err.to_string().contains("校验位"), "{err}");
        // Nothing was written.
        assert_eq!(uc::children(db, prov.id, 10, 0).await.unwrap().total, 0);

        // An employer's code (not 81) is not a union's code either.
        bad.credit_code = Some("91350100M000100Y43".into());
        let err = uc::create(db, &bad, &actor()).await.unwrap_err();
        assert!(err.to_string().contains("81"), "{err}");
    }
);

on_both!(
    a_valid_credit_code_is_kept_and_a_duplicate_is_refused_in_words,
    |t: TestDb| async move {
        let db = &t.store;
        let prov = org(db, "广东省总工会", "province", None, "440000").await;
        let mut i = input("广州市总工会", "city", Some(&prov), "440100");
        let code =
            zhijia_domain::credit_code::CreditCode::with_check_char("81440100MC0000003").unwrap();
        i.credit_code = Some(code.to_string().to_lowercase());
        let city = uc::create(db, &i, &actor()).await.unwrap();
        assert_eq!(city.credit_code.as_deref(), Some(code.as_str()));
        i.name = "另一个工会".into();
        let err = uc::create(db, &i, &actor()).await.unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
        assert!(err.to_string().contains("统一社会信用代码"));
    }
);

on_both!(
    an_org_must_sit_below_its_parents_level,
    |t: TestDb| async move {
        let db = &t.store;
        let prov = org(db, "广东省总工会", "province", None, "440000").await;
        let city = org(db, "广州市总工会", "city", Some(&prov), "440100").await;
        let err = uc::create(
            db,
            &input("错位的市总工会", "city", Some(&city), "440100"),
            &actor(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.field(), Some("parent_id"));
        assert!(err.to_string().contains("不能设在"), "{err}");
        let mut industry = input("广州市快递行业工会联合会", "city", Some(&city), "440100");
        industry.kind = Some("industry".into());
        let made = uc::create(db, &industry, &actor()).await.unwrap();
        assert_eq!(made.kind.as_str(), "industry");
        let err = uc::create(
            db,
            &input(
                "无上级",
                "county",
                Some(&Org {
                    id: OrgId(9999),
                    ..city.clone()
                }),
                "440106",
            ),
            &actor(),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("上级工会不存在"));
    }
);

/// Builds a tree wide enough that ids 2 and 20 both exist (so `/1/2/` is a string prefix of
/// `/1/20/` only if the trailing slash is forgotten).
async fn wide_tree(db: &zhijia_store::Store) -> Vec<Org> {
    let mut all = Vec::new();
    let root = org(db, "广东省总工会", "province", None, "440000").await;
    all.push(root.clone());
    let mut cities = Vec::new();
    for n in 0..6 {
        let c = org(db, &format!("城市{n}总工会"), "city", Some(&root), "440100").await;
        all.push(c.clone());
        cities.push(c);
    }
    for (n, c) in cities.iter().enumerate() {
        for k in 0..3 {
            let county = org(
                db,
                &format!("城市{n}第{k}区总工会"),
                "county",
                Some(c),
                "440106",
            )
            .await;
            all.push(county.clone());
            let town = org(
                db,
                &format!("城市{n}第{k}区某街道工会"),
                "township",
                Some(&county),
                "440106",
            )
            .await;
            all.push(town);
        }
    }
    all
}

/// The descendants of `id` computed the slow, obvious way: following parent ids.
fn descendants_by_parent(all: &[Org], id: OrgId) -> BTreeSet<i64> {
    let mut by_parent: HashMap<Option<OrgId>, Vec<OrgId>> = HashMap::new();
    for o in all {
        by_parent.entry(o.parent_id).or_default().push(o.id);
    }
    let mut out = BTreeSet::from([id.0]);
    let mut stack = vec![id];
    while let Some(n) = stack.pop() {
        for c in by_parent.get(&Some(n)).into_iter().flatten() {
            out.insert(c.0);
            stack.push(*c);
        }
    }
    out
}

async fn everything(db: &zhijia_store::Store, root: OrgId) -> Vec<Org> {
    uc::subtree(db, root, 200, 0).await.unwrap().items
}

on_both!(
    the_subtree_query_returns_exactly_the_org_and_its_descendants,
    |t: TestDb| async move {
        let db = &t.store;
        let all = wide_tree(db).await;
        assert!(all.iter().any(|o| o.id.0 == 2) && all.iter().any(|o| o.id.0 == 20));
        let all = everything(db, all[0].id).await;
        for o in &all {
            let page = uc::subtree(db, o.id, 200, 0).await.unwrap();
            let got: BTreeSet<i64> = page.items.iter().map(|x| x.id.0).collect();
            assert_eq!(
                got,
                descendants_by_parent(&all, o.id),
                "subtree of {}",
                o.name
            );
            assert_eq!(page.total as usize, got.len());
            assert_eq!(page.items[0].id, o.id, "the org itself comes first");
        }
        // Pagination walks the same set without gaps or repeats.
        let root = all[0].id;
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = uc::subtree(db, root, 7, offset).await.unwrap();
            if page.items.is_empty() {
                break;
            }
            seen.extend(page.items.iter().map(|o| o.id.0));
            offset += 7;
        }
        assert_eq!(seen.len(), all.len());
        assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), all.len());
    }
);

on_both!(
    moving_a_subtree_moves_every_descendant_and_leaves_no_stale_path,
    |t: TestDb| async move {
        let db = &t.store;
        let all = wide_tree(db).await;
        let root = all[0].id;
        let city_a = all
            .iter()
            .find(|o| o.name == "城市0总工会")
            .unwrap()
            .clone();
        let city_b = all
            .iter()
            .find(|o| o.name == "城市5总工会")
            .unwrap()
            .clone();
        let county = all
            .iter()
            .find(|o| o.name == "城市0第1区总工会")
            .unwrap()
            .clone();
        let before = everything(db, county.id).await;
        assert_eq!(before.len(), 2);

        let moved = uc::move_subtree(db, county.id, city_b.id, &actor())
            .await
            .unwrap();
        assert_eq!(moved, 2, "the county and its township");

        let after_all = everything(db, root).await;
        let county_now = reload(db, county.id).await;
        assert_eq!(county_now.parent_id, Some(city_b.id));
        assert!(county_now.path.as_str().starts_with(city_b.path.as_str()));
        assert_eq!(county_now.depth, city_b.depth + 1);
        for o in &after_all {
            // Every path is the chain of parent ids: no stale prefix anywhere.
            let expected = match o.parent_id {
                Some(p) => after_all
                    .iter()
                    .find(|x| x.id == p)
                    .unwrap()
                    .path
                    .child(o.id),
                None => zhijia_domain::org::OrgPath::root(o.id),
            };
            assert_eq!(o.path, expected, "path of {}", o.name);
            assert_eq!(o.depth, expected.depth());
        }
        // The old parent no longer holds it; the new one does, with its descendants.
        let under_a: BTreeSet<i64> = everything(db, city_a.id)
            .await
            .iter()
            .map(|o| o.id.0)
            .collect();
        assert!(before.iter().all(|o| !under_a.contains(&o.id.0)));
        let under_b: BTreeSet<i64> = everything(db, city_b.id)
            .await
            .iter()
            .map(|o| o.id.0)
            .collect();
        assert!(before.iter().all(|o| under_b.contains(&o.id.0)));

        // History is kept.
        let history = uc::moves(db, county.id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].from_parent_id, Some(city_a.id));
        assert_eq!(history[0].to_parent_id, city_b.id);
        assert_eq!(history[0].descendants, 1);
        assert_eq!(history[0].from_path, county.path.as_str());
    }
);

on_both!(
    a_subtree_cannot_move_under_itself_or_to_a_wrong_level,
    |t: TestDb| async move {
        let db = &t.store;
        let all = wide_tree(db).await;
        let city = all
            .iter()
            .find(|o| o.name == "城市0总工会")
            .unwrap()
            .clone();
        let county = all
            .iter()
            .find(|o| o.name == "城市0第0区总工会")
            .unwrap()
            .clone();
        let town = all
            .iter()
            .find(|o| o.name == "城市0第0区某街道工会")
            .unwrap()
            .clone();
        let err = uc::move_subtree(db, city.id, town.id, &actor())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("自己或它的下级"), "{err}");
        let err = uc::move_subtree(db, city.id, city.id, &actor())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("自己或它的下级"), "{err}");
        let other_county = all
            .iter()
            .find(|o| o.name == "城市1第0区总工会")
            .unwrap()
            .clone();
        let err = uc::move_subtree(db, county.id, other_county.id, &actor())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("不能设在"), "{err}");
        // Refusals change nothing.
        assert_eq!(reload(db, city.id).await.path, city.path);
        assert!(uc::moves(db, city.id).await.unwrap().is_empty());
    }
);

on_both!(
    renaming_keeps_the_place_in_the_tree,
    |t: TestDb| async move {
        let db = &t.store;
        let prov = org(db, "广东省总工会", "province", None, "440000").await;
        let renamed = uc::rename(db, prov.id, "  广东省总工会(新)  ", &actor())
            .await
            .unwrap();
        assert_eq!(renamed.name, "广东省总工会(新)");
        assert_eq!(renamed.path, prov.path);
        let err = uc::rename(db, prov.id, "   ", &actor()).await.unwrap_err();
        assert_eq!(err.field(), Some("name"));
        let err = uc::rename(db, OrgId(424242), "x", &actor())
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)));
    }
);
