//! Who calls a use case, and the plumbing every area shares about them: the staff member with
//! their grants (`StaffCtx`), the actors written to the audit log for workers and the system,
//! the worker record of a signed-in phone, the union a staff member works on (`branch`), and
//! notification SMS. Areas import these from here, never from one another.

use crate::sms::SmsSender;
use crate::{AppError, Result};
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::{self, Grant, Role, StaffId};
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_store::Store;
use zhijia_store::worker::{self as worker_store, Worker};

/// A staff member acting in a use case, with their grants.
pub struct StaffCtx<'a> {
    pub actor: &'a Actor,
    pub grants: &'a [Grant],
}

impl StaffCtx<'_> {
    pub fn staff_id(&self) -> Option<StaffId> {
        self.actor.id.map(StaffId)
    }

    /// Reviewers decide on members; an `org_admin` may do whatever its branch's reviewers do.
    pub fn may_review(&self, path: &OrgPath) -> bool {
        auth::holds(self.grants, Role::Reviewer, path)
            || auth::holds(self.grants, Role::OrgAdmin, path)
    }

    /// Who may see a member's full identity number (each view audited): the reviewers and
    /// administrators who check identities on join and transfer.
    pub fn may_see_full_id(&self, path: &OrgPath) -> bool {
        self.may_review(path)
    }

    /// Who makes what a union shows to people (offers, merchants, mall items, the library, the
    /// model-worker showcase): its editors and administrators.
    pub fn may_edit(&self, path: &OrgPath) -> bool {
        auth::holds(self.grants, Role::Editor, path)
            || auth::holds(self.grants, Role::OrgAdmin, path)
    }

    /// Who may read the roster: the above, and analysts.
    pub fn may_read_roster(&self, path: &OrgPath) -> bool {
        self.may_review(path) || auth::holds(self.grants, Role::Analyst, path)
    }
}

tokio::task_local! {
    /// The address of the client whose request is being served, as the web layer found it
    /// (the peer, or what a trusted proxy forwarded). Set once per request around the handler,
    /// like the request id, so that every worker use case's audit entries carry it without each
    /// of them, and each of their callers, passing it along beside the phone.
    static CLIENT_ADDRESS: Option<String>;
}

/// Runs `f` as the serving of a request from `address`.
pub async fn with_client_address<F: std::future::Future>(
    address: Option<String>,
    f: F,
) -> F::Output {
    CLIENT_ADDRESS.scope(address, f).await
}

/// The address of the request being served; `None` outside a request (jobs, the command line).
pub fn client_address() -> Option<String> {
    CLIENT_ADDRESS.try_with(Clone::clone).ok().flatten()
}

/// A worker acting from the request being served: their masked phone and the client's address.
pub fn worker_actor(phone: &str) -> Actor {
    Actor {
        kind: ActorKind::Worker,
        id: None,
        name: auth::mask_phone(phone),
        ip: client_address(),
    }
}

pub fn system_actor() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: None,
        name: "自动处理".into(),
        ip: None,
    }
}

/// The worker record of a signed-in phone, or a clear error if they never applied.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn worker_of_phone(db: &Store, phone: &str) -> Result<Worker> {
    worker_store::find_by_phone(db, phone)
        .await?
        .ok_or(AppError::NotFound("您的会员信息"))
}

/// Sends a notification SMS; a gateway failure is logged, never fails the step (the inbox has
/// the message anyway).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sms_notice(sms: &dyn SmsSender, phone: &str, text: &str) {
    if let Err(e) = sms.send(phone, text).await {
        tracing::warn!(error = %e, "notification SMS not sent");
    }
}

/// The union a staff member works on: the one asked for, if `may` holds there, or else the
/// first union of their grants where it holds. `no_role` and `outside` are the refusals when
/// they may nowhere, or not at the union asked for.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn branch(
    db: &zhijia_store::Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    may: impl Fn(&zhijia_domain::org::OrgPath) -> bool,
    no_role: &str,
    outside: &str,
) -> Result<zhijia_store::org::Org> {
    use zhijia_store::org as org_store;
    let id = match org {
        Some(id) => id,
        None => staff
            .grants
            .iter()
            .map(|g| &g.org_path)
            .find(|p| may(p))
            .and_then(|p| p.ids().last().copied())
            .ok_or_else(|| AppError::Forbidden(no_role.into()))?,
    };
    let org = org_store::get(db, id)
        .await?
        .ok_or(AppError::NotFound("工会"))?;
    if !may(&org.path) {
        return Err(AppError::Forbidden(outside.into()));
    }
    Ok(org)
}
