//! The unique constraints use cases answer in words ("already registered", "already decided"),
//! each named as both backends report it: PostgreSQL by the constraint or index name, SQLite by
//! its columns. A refusal is matched exactly, never by a substring that another constraint's
//! name could also contain.

/// One unique constraint. `StoreError::is_conflict_on` compares a refusal with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unique {
    /// The constraint or index name PostgreSQL reports.
    pub pg: &'static str,
    /// The columns SQLite reports, as in `UNIQUE constraint failed: table.column, …`.
    pub sqlite: &'static str,
}

const fn unique(pg: &'static str, sqlite: &'static str) -> Unique {
    Unique { pg, sqlite }
}

pub const ARTICLE_SHARE_ONCE: Unique =
    unique("article_share_once", "article.org_id, article.shared_from");
pub const ORG_CREDIT_CODE: Unique = unique("org_credit_code", "org.credit_code");
pub const ORG_EMPLOYER_CREDIT_CODE: Unique =
    unique("org_employer_credit_code", "org.employer_credit_code");
pub const WORKER_ID_NUMBER: Unique = unique("worker_id_number", "worker.id_number_idx");
pub const STAFF_USERNAME: Unique = unique("staff_username_key", "staff.username");
pub const MEMBERSHIP_CURRENT: Unique = unique("membership_current", "membership.worker_id");
pub const TRANSFER_OPEN: Unique = unique("transfer_open", "transfer.worker_id");
pub const JOIN_APPLICATION_PENDING: Unique =
    unique("join_application_pending", "join_application.worker_id");
pub const HOUSEHOLD_MEMBER_ACTIVE: Unique =
    unique("household_member_active", "household_member.id_number_idx");
pub const AID_DECISION_STAGE: Unique = unique(
    "aid_decision_application_id_stage_key",
    "aid_decision.application_id, aid_decision.stage",
);
pub const AID_DECISION_STAFF: Unique = unique(
    "aid_decision_application_id_staff_id_key",
    "aid_decision.application_id, aid_decision.staff_id",
);
pub const DISBURSEMENT_REVERSES: Unique =
    unique("disbursement_reverses_id_key", "disbursement.reverses_id");
pub const DISBURSEMENT_KEY: Unique = unique(
    "disbursement_idempotency",
    "disbursement.operator_id, disbursement.idempotency_key",
);
pub const MERCHANT_CREDIT_CODE: Unique = unique("merchant_credit_code_key", "merchant.credit_code");
pub const REGISTRATION_LIVE: Unique = unique(
    "registration_live",
    "registration.activity_id, registration.worker_id",
);

/// Every constraint above, for the test that finds each in both schemas.
pub const ALL: &[Unique] = &[
    ORG_CREDIT_CODE,
    ORG_EMPLOYER_CREDIT_CODE,
    WORKER_ID_NUMBER,
    STAFF_USERNAME,
    MEMBERSHIP_CURRENT,
    TRANSFER_OPEN,
    JOIN_APPLICATION_PENDING,
    HOUSEHOLD_MEMBER_ACTIVE,
    AID_DECISION_STAGE,
    AID_DECISION_STAFF,
    DISBURSEMENT_REVERSES,
    DISBURSEMENT_KEY,
    MERCHANT_CREDIT_CODE,
    REGISTRATION_LIVE,
];
