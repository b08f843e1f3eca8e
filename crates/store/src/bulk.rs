//! Many rows at once, for loaders that write millions of them (the network generator behind
//! `wcl demo --labs --people`): rows are kept per table in the order the tables were first named
//! (parents before children), then written as multi-row `INSERT`s in one transaction per
//! [`Bulk::flush`]. Values are typed so that PostgreSQL gets a null of the column's type.
use crate::{Float, Result, Store};

/// One column's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::Text(Some(s.to_string()))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::Text(Some(s))
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        Self::Text(s)
    }
}

impl From<i64> for Value {
    fn from(x: i64) -> Self {
        Self::Int(Some(x))
    }
}

impl From<Option<i64>> for Value {
    fn from(x: Option<i64>) -> Self {
        Self::Int(x)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Self::Real(Some(x))
    }
}

/// Parameters in one statement: well under the backends' limits (SQLite 32,766, PostgreSQL 65,535);
/// larger statements cost more to bind than they save.
const MAX_PARAMS: usize = 2_000;

struct Pending {
    table: &'static str,
    cols: &'static [&'static str],
    values: Vec<Value>,
    /// The statement for a full chunk, built once.
    full: Option<String>,
}

impl Pending {
    fn rows_per_statement(&self) -> usize {
        (MAX_PARAMS / self.cols.len()).max(1)
    }

    /// `INSERT … VALUES (…), (…)`. SQLite gets anonymous `?` parameters: it looks a numbered
    /// one up by a linear scan of the statement's names, which made half the cost of a load.
    fn statement(&self, rows: usize, backend: crate::Backend) -> String {
        let n = self.cols.len();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table,
            self.cols.join(", ")
        );
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..n {
                if c > 0 {
                    sql.push_str(", ");
                }
                if backend == crate::Backend::Sqlite {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&(r * n + c + 1).to_string());
                }
            }
            sql.push(')');
        }
        sql
    }
}

/// Rows waiting to be written, per table.
#[derive(Default)]
pub struct Bulk {
    tables: Vec<Pending>,
    waiting: usize,
}

impl Bulk {
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer that writes these tables first, in this order (parents before children), whatever
    /// order their first rows come in.
    pub fn with_tables(order: &[&'static str]) -> Self {
        Self {
            tables: order
                .iter()
                .map(|&table| Pending {
                    table,
                    cols: &[],
                    values: vec![],
                    full: None,
                })
                .collect(),
            waiting: 0,
        }
    }

    /// Adds a row to `table`. The first row of a table fixes its columns and its place in the
    /// order of writing.
    ///
    /// # Panics
    /// When the row's length differs from the columns' (a loader's bug).
    pub fn row<const N: usize>(
        &mut self,
        table: &'static str,
        cols: &'static [&'static str; N],
        row: [Value; N],
    ) {
        let k = match self.tables.iter().position(|p| p.table == table) {
            Some(k) => k,
            None => {
                self.tables.push(Pending {
                    table,
                    cols,
                    values: vec![],
                    full: None,
                });
                self.tables.len() - 1
            }
        };
        if self.tables[k].cols.is_empty() {
            self.tables[k].cols = cols;
        }
        assert_eq!(self.tables[k].cols.len(), N, "columns of {table}");
        self.tables[k].values.extend(row);
        self.waiting += 1;
    }

    /// Rows added and not written yet.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Writes every waiting row in one transaction, tables in the order they were first named.
    /// Returns the number of rows written.
    pub async fn flush(&mut self, store: &Store) -> Result<u64> {
        let mut tx = store.begin().await?;
        if store.backend() == crate::Backend::Sqlite {
            // Millions of rows go into indexes keyed by ids in no particular order: a page cache
            // of 256 MB instead of SQLite's 2 MB keeps them from being read back from disk.
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(&mut *tx)
                .await?;
        }
        let mut written = 0u64;
        for p in &mut self.tables {
            let n = p.cols.len();
            if n == 0 {
                continue;
            }
            let per = p.rows_per_statement();
            let total = p.values.len() / n;
            let mut values = std::mem::take(&mut p.values).into_iter();
            let mut done = 0;
            while done < total {
                let rows = per.min(total - done);
                let sql = if rows == per {
                    if p.full.is_none() {
                        p.full = Some(p.statement(per, store.backend()));
                    }
                    p.full.clone().unwrap_or_default()
                } else {
                    p.statement(rows, store.backend())
                };
                let mut q = crate::dynamic(sql);
                for v in values.by_ref().take(rows * n) {
                    q = match v {
                        Value::Int(x) => q.bind(x),
                        Value::Real(x) => q.bind(Float(x)),
                        Value::Text(x) => q.bind(x),
                    };
                }
                q.execute(&mut *tx).await?;
                done += rows;
                written += rows as u64;
            }
        }
        tx.commit().await?;
        self.waiting = 0;
        Ok(written)
    }
}
