//! The ledger.

use super::*;

#[derive(Debug, Clone)]
pub struct NewDisbursement<'a> {
    pub application_id: AidApplicationId,
    pub file_id: AidFileId,
    pub amount_fen: i64,
    pub fund_source: &'a str,
    pub method: PaymentMethod,
    pub paid_on: NaiveDate,
    pub year: i64,
    pub operator_id: Option<StaffId>,
    pub operator_name: &'a str,
    pub reverses_id: Option<DisbursementId>,
    pub note: Option<&'a str>,
    /// The client's key for this payment (none on reversals): unique per operator.
    pub idempotency_key: Option<&'a str>,
}

const INSERT_DISBURSEMENT: &str = "INSERT INTO disbursement (application_id, file_id, amount_fen, \
     fund_source, method, paid_on, year, operator_id, operator_name, reverses_id, note, \
     created_at, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
     RETURNING id";

/// Appends an entry (the only write the ledger has). A second reversal of one entry is refused
/// by the unique `reverses_id`.
pub async fn insert_disbursement(tx: &mut Tx, d: &NewDisbursement<'_>) -> Result<DisbursementId> {
    tx.query_one(
        INSERT_DISBURSEMENT,
        &[
            &d.application_id.0,
            &d.file_id.0,
            &d.amount_fen,
            &d.fund_source,
            d.method.stored(),
            &d.paid_on,
            &d.year,
            &d.operator_id.map(|s| s.0),
            &d.operator_name,
            &d.reverses_id.map(|r| r.0),
            &d.note,
            &Utc::now(),
            &d.idempotency_key,
        ],
    )
    .await
    .map(DisbursementId)
}

/// What an operator's earlier payment under an idempotency key was: a retry must ask for the
/// same.
#[derive(Debug, Clone)]
pub struct KeyedEntry {
    pub id: DisbursementId,
    pub application_id: AidApplicationId,
    pub amount_fen: i64,
    pub fund_source: String,
    pub method: PaymentMethod,
    pub paid_on: NaiveDate,
}

impl FromRow for KeyedEntry {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(KeyedEntry {
            id: row.id("id")?,
            application_id: row.id("application_id")?,
            amount_fen: row.get("amount_fen")?,
            fund_source: row.get("fund_source")?,
            method: row.parsed("method", PaymentMethod::parse)?,
            paid_on: row.get("paid_on")?,
        })
    }
}

const BY_KEY: &str = "SELECT id, application_id, amount_fen, fund_source, method, paid_on \
     FROM disbursement WHERE operator_id = $1 AND idempotency_key = $2";

/// The entry an operator recorded under this key, if any.
pub async fn entry_by_key(
    tx: &mut Tx,
    operator_id: StaffId,
    key: &str,
) -> Result<Option<KeyedEntry>> {
    tx.query_opt(BY_KEY, &[&operator_id.0, &key]).await
}

#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub id: DisbursementId,
    pub application_id: AidApplicationId,
    pub file_id: AidFileId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub head_name: String,
    pub kind: AidKind,
    pub amount_fen: i64,
    pub fund_source: String,
    pub method: PaymentMethod,
    pub paid_on: NaiveDate,
    pub year: i64,
    pub operator_name: String,
    pub reverses_id: Option<DisbursementId>,
    /// The entry that reverses this one, if any.
    pub reversed_by: Option<DisbursementId>,
    pub note: Option<String>,
}

impl FromRow for LedgerRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(LedgerRow {
            id: row.id("id")?,
            application_id: row.id("application_id")?,
            file_id: row.id("file_id")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: path_of(row)?,
            head_name: row.get("head_name")?,
            kind: row.parsed("kind", AidKind::parse)?,
            amount_fen: row.get("amount_fen")?,
            fund_source: row.get("fund_source")?,
            method: row.parsed("method", PaymentMethod::parse)?,
            paid_on: row.get("paid_on")?,
            year: row.get("year")?,
            operator_name: row.get("operator_name")?,
            reverses_id: row.id_opt("reverses_id")?,
            reversed_by: row.id_opt("reversed_by")?,
            note: row.get("note")?,
        })
    }
}

macro_rules! ledger_select {
    ($rest:literal) => {
        concat!(
            "SELECT d.id, d.application_id, d.file_id, f.org_id, o.name AS org_name, \
             o.path AS org_path, w.name AS head_name, a.kind, d.amount_fen, d.fund_source, \
             d.method, d.paid_on, d.year, d.operator_name, d.reverses_id, r.id AS reversed_by, \
             d.note FROM disbursement d JOIN aid_application a ON a.id = d.application_id \
             JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
             JOIN worker w ON w.id = f.head_worker_id \
             LEFT JOIN disbursement r ON r.reverses_id = d.id ",
            $rest
        )
    };
}
const GET_ENTRY: &str = ledger_select!("WHERE d.id = $1");
// `$3` 0 means every year; `$4` 0 every file.
const LEDGER: &str = ledger_select!(
    "WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.year = $3) AND (CAST($4 AS BIGINT) = 0 OR d.file_id = $4) \
     ORDER BY d.id DESC LIMIT $5 OFFSET $6"
);
const COUNT_LEDGER: &str = "SELECT COUNT(*) FROM disbursement d \
     JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.year = $3) AND (CAST($4 AS BIGINT) = 0 OR d.file_id = $4)";
const PAID_IN_YEAR: &str = "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM disbursement \
     WHERE file_id = $1 AND year = $2";
const PAID_FOR_APPLICATION: &str = "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) \
     FROM disbursement WHERE application_id = $1";
const TOTALS_BY_YEAR: &str = "SELECT CAST(d.year AS TEXT) AS k, \
     CAST(SUM(d.amount_fen) AS BIGINT) AS fen, COUNT(*) AS n FROM disbursement d \
     JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.file_id = $3) \
     GROUP BY d.year ORDER BY d.year DESC";
const TOTALS_BY_FUND: &str = "SELECT d.fund_source AS k, \
     CAST(SUM(d.amount_fen) AS BIGINT) AS fen, COUNT(*) AS n FROM disbursement d \
     JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.year = $3) AND (CAST($4 AS BIGINT) = 0 OR d.file_id = $4) \
     GROUP BY d.fund_source ORDER BY d.fund_source";
const TOTALS_BY_FILE: &str = "SELECT CAST(d.file_id AS TEXT) AS k, \
     CAST(SUM(d.amount_fen) AS BIGINT) AS fen, COUNT(*) AS n FROM disbursement d \
     JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.year = $3) \
     GROUP BY d.file_id ORDER BY d.file_id LIMIT $4";

pub async fn entry_in(tx: &mut Tx, id: DisbursementId) -> Result<Option<LedgerRow>> {
    tx.query_opt(GET_ENTRY, &[&id.0]).await
}

pub async fn entry(store: &Store, id: DisbursementId) -> Result<Option<LedgerRow>> {
    store.query_opt(GET_ENTRY, &[&id.0]).await
}

/// The file filter of the ledger's queries: 0 binds "every file".
fn file_param(file: Option<AidFileId>) -> i64 {
    file.map_or(0, |f| f.0)
}

/// Entries of a subtree, newest first; `year` 0 for every year, `file` `None` for every file.
pub async fn ledger(
    store: &Store,
    path: &OrgPath,
    year: i64,
    file: Option<AidFileId>,
    limit: i64,
    offset: i64,
) -> Result<Page<LedgerRow>> {
    let upper = path.subtree_upper_bound();
    let file = file_param(file);
    let items = store
        .query(
            LEDGER,
            &[&path.as_str(), &upper, &year, &file, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(COUNT_LEDGER, &[&path.as_str(), &upper, &year, &file])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Net paid to a household in a year (reversals included), inside the locking transaction.
pub async fn paid_in_year(tx: &mut Tx, file_id: AidFileId, year: i64) -> Result<i64> {
    tx.query_one(PAID_IN_YEAR, &[&file_id.0, &year]).await
}

pub async fn paid_for_application(tx: &mut Tx, application_id: AidApplicationId) -> Result<i64> {
    tx.query_one(PAID_FOR_APPLICATION, &[&application_id.0])
        .await
}

/// A total of the ledger: a year, a fund or a file, its net amount and its number of entries.
#[derive(Debug, Clone)]
pub struct Total {
    pub key: String,
    pub fen: i64,
    pub entries: i64,
}

impl FromRow for Total {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Total {
            key: row.get("k")?,
            fen: row.get("fen")?,
            entries: row.get("n")?,
        })
    }
}

/// Totals per year of a subtree (or of one file).
pub async fn totals_by_year(
    store: &Store,
    path: &OrgPath,
    file: Option<AidFileId>,
) -> Result<Vec<Total>> {
    let upper = path.subtree_upper_bound();
    store
        .query(TOTALS_BY_YEAR, &[&path.as_str(), &upper, &file_param(file)])
        .await
}

pub async fn totals_by_fund(
    store: &Store,
    path: &OrgPath,
    year: i64,
    file: Option<AidFileId>,
) -> Result<Vec<Total>> {
    let upper = path.subtree_upper_bound();
    let file = file_param(file);
    store
        .query(TOTALS_BY_FUND, &[&path.as_str(), &upper, &year, &file])
        .await
}

/// Totals per file (at most `limit` files).
pub async fn totals_by_file(
    store: &Store,
    path: &OrgPath,
    year: i64,
    limit: i64,
) -> Result<Vec<Total>> {
    let upper = path.subtree_upper_bound();
    store
        .query(TOTALS_BY_FILE, &[&path.as_str(), &upper, &year, &limit])
        .await
}
