//! The unit of work: the only way a use case writes.
//!
//! A `Change` is a transaction that can be committed only with proof that its audit entry was
//! appended inside it (`Recorded`, which only `audit::append` makes), or with a named reason why
//! this kind of change is not audited (`Unaudited`). So "the change and its record commit or roll
//! back together" is a property of the types, not a habit each use case must remember: a use case
//! that forgets its audit entry does not compile. Dropped without a commit (an error, a cancelled
//! request), a change rolls back.

use crate::Result;
use crate::db::{Store, Tx};
use std::ops::{Deref, DerefMut};

/// An open unit of work. Store functions take it as `&mut Tx` (it derefs to its transaction).
pub struct Change {
    tx: Tx,
}

/// Proof that an audit entry was appended to the log inside a change.
#[must_use = "a change commits only with its audit entry: pass this to `Change::commit`"]
#[derive(Debug, Clone, Copy)]
pub struct Recorded(pub(crate) ());

/// Why a change is committed without an audit entry. Each reason names a kind of write that
/// records no person's decision about a record, so a reader of the log loses nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unaudited {
    /// Rate-limit counters, one-time codes and their attempts: the gate in front of sign-in,
    /// counted so that limits hold across processes.
    Throttle,
    /// Session rows: a sign-in or sign-out whose audit entry (where one is due) is written by
    /// the use case that checked the credentials.
    Session,
    /// The background job queue's own bookkeeping (scheduling, leases, back-off); the work a
    /// job does is audited by the job itself.
    JobQueue,
    /// A worker's own reading marks (inbox messages read).
    ReadMark,
    /// Tallies of what readers open (an article's read count): a number, not a decision, and
    /// nobody's record.
    Tally,
    /// Synthetic demo data loaded into an empty store by `serve --demo` or `zhijia demo`.
    DemoData,
    /// A worker's own repeatable actions whose history is kept in their own rows (a coupon
    /// claimed, a registration made or cancelled, points earned): the rows are the record.
    OwnHistory,
    /// Records passing their validity date (coupons expiring): a fact of the calendar, not a
    /// decision, kept in the rows' own status and dates.
    Expiry,
    /// A value derived from others filled in on first use (the member number of a worker loaded
    /// in bulk, from their id): nobody decided anything.
    Backfill,
    /// A worker's draft: files chosen on a form that was refused, kept for the same phone until
    /// the form goes through (`pending`); nothing is decided until then, and the step that
    /// uses them is audited.
    Draft,
    /// The search outbox's own bookkeeping (old change rows pruned): the changes it records
    /// were audited by the use cases that made them.
    SearchOutbox,
    /// Test fixtures writing rows directly. Only built for the test suite.
    #[cfg(feature = "fixtures")]
    Fixture,
}

impl Store {
    /// Opens a unit of work. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// keep slow work (password hashing, parsing, rendering) before it.
    pub async fn change(&self) -> Result<Change> {
        Ok(Change {
            tx: self.begin().await?,
        })
    }
}

impl Change {
    /// Commits the change together with the audit entry it appended.
    pub async fn commit(self, _recorded: Recorded) -> Result<()> {
        self.tx.commit().await
    }

    /// Commits with the audit entry if the change appended one (a background job's work), or
    /// for the reason given if it had nothing to record.
    pub async fn commit_or(self, recorded: Option<Recorded>, why: Unaudited) -> Result<()> {
        match recorded {
            Some(r) => self.commit(r).await,
            None => self.commit_unaudited(why).await,
        }
    }

    /// Commits a change that is not audited, for the reason given.
    pub async fn commit_unaudited(self, why: Unaudited) -> Result<()> {
        tracing::trace!(?why, "unaudited change");
        self.tx.commit().await
    }
}

impl<'a> From<&'a mut Change> for crate::db::Exec<'a> {
    fn from(c: &'a mut Change) -> Self {
        crate::db::Exec::Tx(&mut c.tx)
    }
}

impl Deref for Change {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl DerefMut for Change {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}
