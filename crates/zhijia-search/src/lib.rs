//! zhijia's full-text index (搜索): tantivy with a jieba tokenizer, one per server process, kept
//! in a directory of its own and rebuildable from the store at any time. This crate knows
//! documents, not tables: the application turns records into [`Doc`]s, applies the store's
//! outbox of changes ([`Index::writing`]) and asks [`Index::search`] with the reader's
//! [`Viewer`], then re-checks the hits against the store. See docs/search.md.

mod doc;
mod query;
mod schema;
mod tokens;

pub use doc::Doc;
pub use query::{Hit, Hits, Mode, Query, Viewer};
pub use tokens::terms;

use schema::Fields;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::directory::MmapDirectory;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// What can go wrong with the index. The index is a cache of the store: every error is one a
/// rebuild (`zhijia reindex`) mends.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("搜索索引出错：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("搜索索引目录无法使用：{0}")]
    Directory(String),
    #[error("搜索索引正被占用")]
    Busy,
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// Bumped when the schema or the tokenizer changes: an index written with another version is
/// thrown away and rebuilt.
const VERSION: u32 = 1;
/// Memory of the one indexing thread (2-core machines: one thread, a modest arena).
const WRITER_ARENA: usize = 64 * 1024 * 1024;

/// A process's index: cheap to clone, shared by the request handlers (reading) and the indexer
/// (writing, one at a time).
#[derive(Clone)]
pub struct Index(Arc<Inner>);

struct Inner {
    index: tantivy::Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    version: u32,
    cursor: i64,
}

impl Index {
    /// Opens the index in `dir`, creating it (and the directory) if needed. An index of another
    /// schema version is removed and made anew, empty: the caller rebuilds it.
    pub fn open_or_create(dir: &Path) -> Result<Index> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
        let (schema, fields) = schema::build();
        let open = || -> Result<tantivy::Index> {
            let directory =
                MmapDirectory::open(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
            Ok(tantivy::Index::open_or_create(directory, schema.clone())?)
        };
        let index = match open() {
            Ok(i) if payload(&i).is_none_or(|p| p.version == VERSION) => i,
            _ => {
                tracing::warn!(dir = %dir.display(), "搜索索引版本不符，重新建立");
                std::fs::remove_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
                std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
                open()?
            }
        };
        Self::with(index, fields)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Index> {
        let (schema, fields) = schema::build();
        Self::with(tantivy::Index::create_in_ram(schema), fields)
    }

    fn with(index: tantivy::Index, fields: Fields) -> Result<Index> {
        index
            .tokenizers()
            .register(tokens::JIEBA, tokens::analyzer());
        let writer = index
            .writer_with_num_threads(1, WRITER_ARENA)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
                e => SearchError::Index(e),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Index(Arc::new(Inner {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })))
    }

    /// The last outbox id this index has applied (stored with its last commit); `None` for an
    /// index never built.
    pub fn cursor(&self) -> Option<i64> {
        payload(&self.0.index).map(|p| p.cursor)
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.0.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stages writes: clears the index first if `clear` (a rebuild), removes records
    /// (`source`, id), puts documents (each replacing its record's). Nothing is visible until
    /// [`Index::commit`]; [`Index::rollback`] forgets what was staged. Only the process's
    /// indexer writes, so what one step stages is what it commits.
    pub fn stage(&self, clear: bool, removes: &[(&str, i64)], puts: &[Doc]) -> Result<()> {
        let w = self.0.writer.lock().map_err(|_| SearchError::Busy)?;
        let f = &self.0.fields;
        if clear {
            w.delete_all_documents()?;
        }
        for (source, id) in removes {
            w.delete_term(Term::from_field_text(f.key, &doc::key(source, *id)));
        }
        for d in puts {
            w.delete_term(Term::from_field_text(
                f.key,
                &doc::key(d.kind.source(), d.id),
            ));
            let t: TantivyDocument = d.to_tantivy(f);
            w.add_document(t)?;
        }
        Ok(())
    }

    /// Makes what was staged visible, recording that the outbox is applied up to `cursor`.
    pub fn commit(&self, cursor: i64) -> Result<()> {
        let payload = serde_json::to_string(&Payload {
            version: VERSION,
            cursor,
        })
        .map_err(|e| SearchError::Directory(e.to_string()))?;
        let mut w = self.0.writer.lock().map_err(|_| SearchError::Busy)?;
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        drop(w);
        self.0.reader.reload()?;
        Ok(())
    }

    /// Forgets what was staged and not committed (a rebuild that failed half-way).
    pub fn rollback(&self) -> Result<()> {
        let mut w = self.0.writer.lock().map_err(|_| SearchError::Busy)?;
        w.rollback()?;
        Ok(())
    }
}

fn payload(index: &tantivy::Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}
