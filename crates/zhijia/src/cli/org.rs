//! `zhijia org`: the organisation tree from the command line.

use super::*;

pub(super) async fn org_command(cmd: OrgCommand) -> Result<(), AppError> {
    match cmd {
        OrgCommand::Create {
            store,
            name,
            level,
            kind,
            parent,
            region,
            credit_code,
            employer_name,
            employer_credit_code,
            industry,
            chair,
            founded,
        } => {
            let db = store.open().await?;
            let input = OrgInput {
                name,
                level,
                kind,
                parent_id: parent,
                region_code: region,
                credit_code,
                employer_name,
                employer_credit_code,
                industry_code: industry,
                chair,
                founded_on: founded,
            };
            let org = uc::create(&db, &input, &Actor::cli("zhijia org create")).await?;
            println!(
                "已建立：{}(编号 {}，路径 {})",
                org.name,
                org.id,
                org.path.as_str()
            );
        }
        OrgCommand::Rename { store, id, name } => {
            let db = store.open().await?;
            let org = uc::rename(&db, OrgId(id), &name, &Actor::cli("zhijia org rename")).await?;
            println!("已更名为：{}", org.name);
        }
        OrgCommand::Move { store, id, to } => {
            let db = store.open().await?;
            let n =
                uc::move_subtree(&db, OrgId(id), OrgId(to), &Actor::cli("zhijia org move")).await?;
            println!("已调整隶属关系：共 {n} 个组织随之移动");
        }
        OrgCommand::Subtree {
            store,
            id,
            limit,
            offset,
        } => {
            let db = store.open().await?;
            let (limit, offset) = zhijia_app::page_bounds(Some(limit), Some(offset), 50);
            let page = uc::subtree(&db, OrgId(id), limit, offset).await?;
            for o in &page.items {
                let indent = "  ".repeat(usize::try_from(o.depth).unwrap_or(0));
                println!("{indent}{} [{}] #{}", o.name, o.level.label(), o.id);
            }
            println!(
                "第 {}-{} 个，共 {} 个",
                offset + 1,
                offset + page.items.len() as i64,
                page.total
            );
        }
    }
    Ok(())
}
