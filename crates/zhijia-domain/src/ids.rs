//! Record ids as types. A `CaseId` cannot be passed where an `OfferId` is wanted, so a
//! handler that reads one record's id and asks the store for another kind of record does not
//! compile. Each is a positive `i64` on the wire (JSON numbers, path segments) and in the
//! database; the store decodes columns into them (`Row::id`) and binds the inner `i64`
//! (`&[&id.0]`).

use std::fmt;
use std::str::FromStr;

/// What every record id has in common: made from the stored integer, and shown as it.
pub trait RecordId:
    Copy + fmt::Display + fmt::Debug + PartialEq + Eq + Send + Sync + 'static
{
    fn from_raw(raw: i64) -> Self;
    fn get(self) -> i64;
}

macro_rules! record_ids {
    ($( $(#[$meta:meta])* $name:ident; )+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl RecordId for $name {
            fn from_raw(raw: i64) -> Self {
                Self(raw)
            }
            fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// Only a positive integer is an id (a path segment `0`, `-1` or `abc` names nothing).
        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                s.parse::<i64>().ok().filter(|i| *i > 0).map(Self).ok_or(())
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )+};
}

record_ids! {
    /// A union in the tree (`org`).
    OrgId;
    /// A person who signs in with a phone (`worker`).
    WorkerId;
    /// A staff account (`staff`).
    StaffId;
    /// A membership of a worker in a union (`membership`).
    MembershipId;
    /// An application to join (`join_application`).
    JoinApplicationId;
    /// A membership transfer (`transfer`).
    TransferId;
    /// A message in a worker's inbox (`inbox_message`).
    MessageId;
    /// A roster import batch (`roster_import`).
    ImportId;
    /// A background job (`job`).
    JobId;
    /// A rights-protection case (`rights_case`).
    CaseId;
    /// A mediation of a case (`case_mediation`).
    MediationId;
    /// An attachment of a case or an aid application (`case_attachment`, `aid_attachment`).
    AttachmentId;
    /// A hardship file (`hardship_file`).
    AidFileId;
    /// An application for hardship aid (`aid_application`).
    AidApplicationId;
    /// An objection to a public aid notice (`aid_objection`).
    ObjectionId;
    /// A payment of aid (`disbursement`).
    DisbursementId;
    /// A merchant (`merchant`).
    MerchantId;
    /// A benefit offer (`offer`).
    OfferId;
    /// A coupon claimed by a member (`coupon`).
    CouponId;
    /// A merchant's proposal of an offer (`offer_proposal`).
    ProposalId;
    /// A shop in the mall (`shop`).
    ShopId;
    /// An item of the points mall (`mall_item`).
    MallItemId;
    /// An order in the points mall (`mall_order`).
    MallOrderId;
    /// An activity (`activity`).
    ActivityId;
    /// A registration for an activity (`registration`).
    RegistrationId;
    /// A publishable record: a library item or a model worker (`library_item`, `model_worker`).
    PublishableId;
    /// An article, notice or knowledge-base answer of a union's channel (`article`).
    ArticleId;
    /// An image of a channel or an article: an avatar or a cover (`article_image`).
    ArticleImageId;
    /// A request to delete a worker's data (`deletion_request`).
    DeletionRequestId;
    /// An upload waiting for its form (`pending_upload`).
    PendingUploadId;
    /// A line of the points ledger (`points_entry`).
    PointsEntryId;
    /// A step in a case's history (`case_event`).
    CaseEventId;
    /// A message or internal note on a case (`case_message`).
    CaseMessageId;
    /// A person of a hardship household (`household_member`).
    HouseholdMemberId;
    /// A stage's decision on an aid application (`aid_decision`).
    AidDecisionId;
    /// An entry of the audit log (`audit_log`).
    AuditEntryId;
    /// A move of a union to another parent (`org_move`).
    OrgMoveId;
    /// A one-time SMS code sent (`sms_code`).
    SmsCodeId;
    /// A comment (留言) under an article (`article_comment`).
    ArticleCommentId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_integers_are_ids() {
        assert_eq!("42".parse::<CaseId>(), Ok(CaseId(42)));
        for bad in ["0", "-1", "abc", "", "1.5", "99999999999999999999"] {
            assert!(bad.parse::<CaseId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_id_is_a_plain_number_on_the_wire() {
        assert_eq!(serde_json::to_string(&OfferId(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<OfferId>("7").unwrap(), OfferId(7));
    }
}
