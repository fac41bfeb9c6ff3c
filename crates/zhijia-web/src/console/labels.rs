//! Chinese labels of the codes a console page shows, from one place: occupations, roles,
//! statuses (each from its domain enum's `label()`), and audit actions (here, because the
//! audit log stores an action as a code string). A code without a label shows as itself, and
//! the tests below fail when a code is added without its label.

use zhijia_domain::auth::Role;
use zhijia_domain::member::{ApplicationStatus, MembershipStatus, TransferStatus};

/// A role (`case_handler` → 维权办理员).
pub fn role(code: &str) -> String {
    Role::ALL
        .into_iter()
        .find(|r| r.as_str() == code)
        .map_or_else(|| code.to_owned(), |r| r.label().to_owned())
}

/// A membership, application or transfer status, whichever the code is.
pub fn status(code: &str) -> &'static str {
    MembershipStatus::parse(code)
        .map(MembershipStatus::label)
        .or_else(|| ApplicationStatus::parse(code).map(ApplicationStatus::label))
        .or_else(|| TransferStatus::parse(code).map(TransferStatus::label))
        .unwrap_or("")
}

/// What an audit entry's action means (`pii.viewed` → 查看身份证号).
pub fn action(code: &str) -> Option<&'static str> {
    Some(match code {
        "auth.sign_in" => "登录",
        "auth.sign_in_failed" => "登录失败",
        "auth.worker_sign_in" => "职工短信验证码登录",
        "auth.account_locked" => "账号锁定",
        "auth.sign_in_throttled" => "登录过于频繁被限制",
        "auth.sign_in_delayed" => "密码多次错误，登录须等待",
        "auth.password_changed" => "修改密码",
        "staff.created" => "创建工作人员账号",
        "staff.identity_linked" => "登记本人身份(回避核查)",
        "role.granted" => "授予角色",
        "role.grant_refused" => "授予角色被拒绝",
        "role.revoked" => "撤销角色",
        "org.created" => "新建工会组织",
        "org.renamed" => "工会组织更名",
        "org.moved" => "调整上级工会",
        "pii.self_export" => "职工导出本人信息",
        "pii.deletion_requested" => "申请删除个人信息",
        "pii.deletion_done" => "删除个人信息",
        "pii.deletion_refused" => "拒绝删除个人信息",
        "pii.viewed" => "查看身份证号",
        "roster.exported" => "导出会员名册",
        "roster.imported" => "导入会员名册",
        "roster.import_batch" => "名册导入批次",
        "join.applied" => "提交入会申请",
        "join.approved" => "通过入会申请",
        "join.rejected" => "不予通过入会申请",
        "transfer.requested" => "申请会籍接转",
        "transfer.proposed" => "发起会籍接转",
        "transfer.confirmed" => "职工确认接转",
        "transfer.declined" => "职工拒绝接转",
        "transfer.lapsed" => "接转未确认失效",
        "transfer.released" => "同意转出",
        "transfer.refused" => "不同意转出",
        "transfer.completed" => "接转完成",
        "transfer.cancelled" => "撤销接转",
        "membership.left" => "退会",
        "membership.retired" => "标记退休(保留会籍)",
        "merchant.registered" => "登记商户",
        "offer.created" => "新建优惠",
        "offer.published" => "发布优惠",
        "offer.withdrawn" => "撤下优惠",
        "offer.proposed" => "商户提报优惠",
        "offer_proposal.approved" => "通过商户提报",
        "offer_proposal.rejected" => "退回商户提报",
        "offer_proposal.cancelled" => "商户撤回提报",
        "coupon.redeemed" => "核销优惠券",
        "shop.added" => "添加门店",
        "shop.removed" => "删除门店",
        "mall.item_created" => "上架积分商品",
        "case.filed" => "提交维权诉求",
        "case.accepted" => "受理案件",
        "case.declined" => "不予受理案件",
        "case.started" => "开始办理案件",
        "case.asked_worker" => "请职工补充材料",
        "case.worker_answered" => "职工补充材料",
        "case.resolved" => "办结案件",
        "case.rated" => "职工评价",
        "case.reopened" => "案件重新办理",
        "case.closed" => "案件归档",
        "case.rerouted" => "转派案件",
        "case.escalated" => "案件上报督办",
        "case.message_sent" => "回复职工",
        "case.note_added" => "添加内部备注",
        "case.attachment_added" => "上传案件附件",
        "case.mediation_recorded" => "记录调解",
        "aid.file_opened" => "建立困难职工档案",
        "aid.file_viewed" => "查看困难职工档案",
        "aid.file_reviewed" => "年度复核档案",
        "aid.file_exited" => "档案退出",
        "aid.file_lapsed" => "档案到期失效",
        "aid.applied" => "提交帮扶申请",
        "aid.attachment_added" => "上传帮扶材料",
        "aid.stage_decided" => "帮扶审批",
        "aid.objection_filed" => "提出公示异议",
        "aid.objection_resolved" => "处理公示异议",
        "aid.disbursed" => "登记发放",
        "aid.disbursement_reversed" => "冲正发放",
        "aid.ledger_exported" => "导出发放台账",
        "activity.created" => "发布活动",
        "activity.cancelled" => "取消活动",
        "activity.checked_in" => "活动签到",
        "points.rule_set" => "设置积分规则",
        "model_worker.created" => "新增劳模",
        "model_worker.updated" => "修改劳模信息",
        "model_worker.published" => "发布劳模",
        "model_worker.withdrawn" => "撤下劳模",
        "library.created" => "新增书目",
        "library.updated" => "修改书目",
        "library.published" => "上架书目",
        "library.withdrawn" => "下架书目",
        "article.created" => "撰写资讯",
        "article.updated" => "修改资讯",
        "article.submitted" => "提交资讯审核",
        "article.approved" => "审核通过资讯",
        "article.sent_back" => "退回资讯",
        "article.withdrawn" => "撤回资讯",
        "article.reshared" => "转载资讯",
        "article.image_uploaded" => "上传资讯图片",
        "channel.updated" => "设置频道",
        "article.comment_featured" => "精选留言",
        "article.comment_replied" => "回复留言",
        "article.comment_hidden" => "隐藏留言",
        _ => return None,
    })
}

/// An action's label, or the code itself for one added without a label (never an empty cell).
pub fn action_or_code(code: &str) -> String {
    action(code).map_or_else(|| code.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every audit action the code records: the constants of `zhijia_domain::audit::action`,
    /// read from its source so a new one cannot be missed.
    fn actions_in_code() -> Vec<String> {
        let src = include_str!("../../../zhijia-domain/src/audit.rs");
        let start = src.find("pub mod action").expect("the action module");
        let body = &src[start..];
        let end = body.find("\n}\n").expect("its end");
        let mut out = Vec::new();
        let mut rest = &body[..end];
        while let Some(i) = rest.find(": &str =") {
            rest = &rest[i..];
            let open = rest.find('"').expect("a string");
            let close = rest[open + 1..].find('"').expect("its end") + open + 1;
            out.push(rest[open + 1..close].to_owned());
            rest = &rest[close..];
        }
        out
    }

    #[test]
    fn every_audit_action_in_the_code_has_a_chinese_label() {
        let actions = actions_in_code();
        assert!(actions.len() > 80, "{actions:?}");
        assert!(actions.iter().any(|a| a == "pii.viewed"));
        let missing: Vec<_> = actions.iter().filter(|a| action(a).is_none()).collect();
        assert!(missing.is_empty(), "actions without a label: {missing:?}");
        assert_eq!(action("pii.viewed"), Some("查看身份证号"));
        assert_eq!(action_or_code("new.thing"), "new.thing");
    }

    #[test]
    fn every_occupation_role_and_status_has_a_chinese_label() {
        let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for g in zhijia_domain::worker::GigOccupation::ALL {
            assert!(han(g.label()), "{g:?}");
        }
        for r in Role::ALL {
            assert!(han(&role(r.as_str())), "{r:?}");
        }
        for s in MembershipStatus::ALL {
            assert!(han(status(s.as_str())), "{s:?}");
        }
        for s in ApplicationStatus::ALL {
            assert!(han(s.label()), "{s:?}");
        }
        for s in TransferStatus::ALL {
            assert!(han(status(s.as_str())), "{s:?}");
        }
    }
}
