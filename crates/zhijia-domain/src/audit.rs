//! The audit log: who did or saw what, when, from where, on which org and record.

use serde::{Deserialize, Serialize};

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Staff,
    Worker,
    /// The command line, run by an operator on the server.
    Cli,
    System,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::Worker => "worker",
            ActorKind::Cli => "cli",
            ActorKind::System => "system",
        }
    }

    /// The kind of a stored `actor_kind`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Staff, Self::Worker, Self::Cli, Self::System]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The actor of an audited action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<i64>,
    /// Username, masked phone or command, for people reading the log.
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn cli(command: &str) -> Self {
        Actor {
            kind: ActorKind::Cli,
            id: None,
            name: command.to_owned(),
            ip: None,
        }
    }
}

/// Actions written to the log. Their names are stable: reports and alerts match on them.
pub mod action {
    pub const SIGN_IN: &str = "auth.sign_in";
    pub const SIGN_IN_FAILED: &str = "auth.sign_in_failed";
    /// A worker signed in with an SMS code (the session opened; who, from which address).
    pub const WORKER_SIGN_IN: &str = "auth.worker_sign_in";
    /// Written by releases that locked an account after five wrong passwords; kept so their
    /// entries still read right (accounts are no longer locked: see `SIGN_IN_DELAYED`).
    pub const ACCOUNT_LOCKED: &str = "auth.account_locked";
    /// Sign-ins refused by the per-address or per-account limit: one entry per limit and
    /// window, however many attempts it refused.
    pub const SIGN_IN_THROTTLED: &str = "auth.sign_in_throttled";
    /// Wrong passwords used up the free tries: further ones wait (the account is not locked).
    pub const SIGN_IN_DELAYED: &str = "auth.sign_in_delayed";
    pub const PASSWORD_CHANGED: &str = "auth.password_changed";
    pub const STAFF_CREATED: &str = "staff.created";
    pub const ROLE_GRANTED: &str = "role.granted";
    pub const ROLE_GRANT_REFUSED: &str = "role.grant_refused";
    pub const ROLE_REVOKED: &str = "role.revoked";
    pub const ORG_CREATED: &str = "org.created";
    pub const ORG_RENAMED: &str = "org.renamed";
    pub const ORG_MOVED: &str = "org.moved";
    pub const PII_SELF_EXPORT: &str = "pii.self_export";
    pub const PII_DELETION_REQUESTED: &str = "pii.deletion_requested";
    pub const PII_DELETION_DONE: &str = "pii.deletion_done";
    pub const PII_DELETION_REFUSED: &str = "pii.deletion_refused";
    /// A staff member was shown a member's full identity number.
    pub const PII_VIEWED: &str = "pii.viewed";
    pub const ROSTER_EXPORTED: &str = "roster.exported";
    pub const ROSTER_IMPORTED: &str = "roster.imported";
    /// One batch of an import written (the bulk path's own entry, in the batch's transaction).
    pub const ROSTER_IMPORT_BATCH: &str = "roster.import_batch";
    pub const JOIN_APPLIED: &str = "join.applied";
    pub const JOIN_APPROVED: &str = "join.approved";
    pub const JOIN_REJECTED: &str = "join.rejected";
    pub const TRANSFER_REQUESTED: &str = "transfer.requested";
    /// A receiving union asked for a member by number (whether or not the number led anywhere:
    /// the entry is the same, so the union learns nothing from it).
    pub const TRANSFER_PROPOSED: &str = "transfer.proposed";
    pub const TRANSFER_CONFIRMED: &str = "transfer.confirmed";
    pub const TRANSFER_DECLINED: &str = "transfer.declined";
    pub const TRANSFER_LAPSED: &str = "transfer.lapsed";
    pub const TRANSFER_RELEASED: &str = "transfer.released";
    pub const TRANSFER_REFUSED: &str = "transfer.refused";
    pub const TRANSFER_COMPLETED: &str = "transfer.completed";
    pub const TRANSFER_CANCELLED: &str = "transfer.cancelled";
    pub const MEMBERSHIP_LEFT: &str = "membership.left";
    pub const MEMBERSHIP_RETIRED: &str = "membership.retired";
    pub const MERCHANT_REGISTERED: &str = "merchant.registered";
    pub const OFFER_CREATED: &str = "offer.created";
    pub const OFFER_PUBLISHED: &str = "offer.published";
    pub const OFFER_WITHDRAWN: &str = "offer.withdrawn";
    pub const COUPON_REDEEMED: &str = "coupon.redeemed";
    pub const OFFER_PROPOSED: &str = "offer.proposed";
    pub const OFFER_PROPOSAL_APPROVED: &str = "offer_proposal.approved";
    pub const OFFER_PROPOSAL_REJECTED: &str = "offer_proposal.rejected";
    pub const OFFER_PROPOSAL_CANCELLED: &str = "offer_proposal.cancelled";
    pub const SHOP_ADDED: &str = "shop.added";
    pub const SHOP_REMOVED: &str = "shop.removed";
    pub const MALL_ITEM_CREATED: &str = "mall.item_created";
    pub const CASE_FILED: &str = "case.filed";
    pub const CASE_ACCEPTED: &str = "case.accepted";
    pub const CASE_DECLINED: &str = "case.declined";
    pub const CASE_STARTED: &str = "case.started";
    pub const CASE_ASKED_WORKER: &str = "case.asked_worker";
    pub const CASE_WORKER_ANSWERED: &str = "case.worker_answered";
    pub const CASE_RESOLVED: &str = "case.resolved";
    pub const CASE_RATED: &str = "case.rated";
    pub const CASE_REOPENED: &str = "case.reopened";
    pub const CASE_CLOSED: &str = "case.closed";
    pub const CASE_REROUTED: &str = "case.rerouted";
    pub const CASE_ESCALATED: &str = "case.escalated";
    pub const CASE_MESSAGE_SENT: &str = "case.message_sent";
    pub const CASE_NOTE_ADDED: &str = "case.note_added";
    pub const CASE_ATTACHMENT_ADDED: &str = "case.attachment_added";
    pub const CASE_MEDIATION_RECORDED: &str = "case.mediation_recorded";
    /// A staff member declared their own identity number (so aid decisions on their own
    /// household are refused).
    pub const STAFF_IDENTITY_LINKED: &str = "staff.identity_linked";
    pub const AID_FILE_OPENED: &str = "aid.file_opened";
    /// An aid officer was shown a hardship file's health, disability and income.
    pub const AID_FILE_VIEWED: &str = "aid.file_viewed";
    pub const AID_FILE_REVIEWED: &str = "aid.file_reviewed";
    pub const AID_FILE_EXITED: &str = "aid.file_exited";
    pub const AID_FILE_LAPSED: &str = "aid.file_lapsed";
    pub const AID_APPLIED: &str = "aid.applied";
    /// An aid officer attached files to an application (downloads are not audited: the files
    /// are not health or income fields).
    pub const AID_ATTACHMENT_ADDED: &str = "aid.attachment_added";
    pub const AID_STAGE_DECIDED: &str = "aid.stage_decided";
    pub const AID_OBJECTION_FILED: &str = "aid.objection_filed";
    pub const AID_OBJECTION_RESOLVED: &str = "aid.objection_resolved";
    pub const AID_DISBURSED: &str = "aid.disbursed";
    pub const AID_DISBURSEMENT_REVERSED: &str = "aid.disbursement_reversed";
    pub const AID_LEDGER_EXPORTED: &str = "aid.ledger_exported";
    pub const ACTIVITY_CREATED: &str = "activity.created";
    pub const ACTIVITY_CANCELLED: &str = "activity.cancelled";
    /// An organiser checked a member in (points awarded in the same step).
    pub const ACTIVITY_CHECKED_IN: &str = "activity.checked_in";
    /// A union set how many points a reason earns.
    pub const POINTS_RULE_SET: &str = "points.rule_set";
    pub const MODEL_WORKER_CREATED: &str = "model_worker.created";
    pub const MODEL_WORKER_UPDATED: &str = "model_worker.updated";
    pub const MODEL_WORKER_PUBLISHED: &str = "model_worker.published";
    pub const MODEL_WORKER_WITHDRAWN: &str = "model_worker.withdrawn";
    pub const LIBRARY_CREATED: &str = "library.created";
    pub const LIBRARY_UPDATED: &str = "library.updated";
    pub const LIBRARY_PUBLISHED: &str = "library.published";
    pub const LIBRARY_WITHDRAWN: &str = "library.withdrawn";
    pub const ARTICLE_CREATED: &str = "article.created";
    pub const ARTICLE_UPDATED: &str = "article.updated";
    pub const ARTICLE_SUBMITTED: &str = "article.submitted";
    /// A second editor approved an article: published now or at its scheduled time.
    pub const ARTICLE_APPROVED: &str = "article.approved";
    /// A reviewer sent an article back to draft; the detail holds the reason.
    pub const ARTICLE_SENT_BACK: &str = "article.sent_back";
    pub const ARTICLE_WITHDRAWN: &str = "article.withdrawn";
    /// A lower union's channel re-shared (转载) an article of a union above it.
    pub const ARTICLE_RESHARED: &str = "article.reshared";
    /// An editor uploaded a cover or an avatar.
    pub const ARTICLE_IMAGE_UPLOADED: &str = "article.image_uploaded";
    /// A union set its channel's name, intro or avatar.
    pub const CHANNEL_UPDATED: &str = "channel.updated";
    /// An editor featured (精选) a member's comment: from then on everyone who reads the
    /// article sees it.
    pub const ARTICLE_COMMENT_FEATURED: &str = "article.comment_featured";
    /// An editor answered under a comment (or changed the answer).
    pub const ARTICLE_COMMENT_REPLIED: &str = "article.comment_replied";
    /// An editor hid a comment (pending or featured): nobody sees it any more.
    pub const ARTICLE_COMMENT_HIDDEN: &str = "article.comment_hidden";
}
