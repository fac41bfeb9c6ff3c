-- A transfer started by a receiving union waits for the worker's confirmation before anyone
-- else sees it (issue 14: a union could take a member by number alone). `worker_confirmed_at`
-- is when the worker agreed (the time of the request when the worker started it);
-- `confirm_due_at` is when an unanswered proposal lapses.
ALTER TABLE transfer ADD COLUMN worker_confirmed_at TEXT;
ALTER TABLE transfer ADD COLUMN confirm_due_at TEXT;
-- Transfers started by workers, and those already past the release, keep their course. An open
-- proposal of a union that the worker never saw must now be confirmed by its old deadline.
UPDATE transfer SET worker_confirmed_at = requested_at
    WHERE started_by = 'worker' OR status <> 'awaiting_release';
UPDATE transfer SET confirm_due_at = release_due_at WHERE worker_confirmed_at IS NULL;
CREATE INDEX transfer_unconfirmed ON transfer (confirm_due_at) WHERE worker_confirmed_at IS NULL;
