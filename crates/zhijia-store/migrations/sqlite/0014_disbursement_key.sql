-- A payment's idempotency key (issue 14): an officer's client sends one per payment, and a retry
-- of a request cut off by a dropped connection or a restarted server returns the entry already
-- recorded instead of paying twice. Keys are per staff account; reversals carry none. Adding a
-- column changes no row, so the ledger's append-only triggers are not involved.
ALTER TABLE disbursement ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX disbursement_idempotency ON disbursement (operator_id, idempotency_key);
