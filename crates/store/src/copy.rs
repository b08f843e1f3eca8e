//! Moving a whole network between backends (`wcl db copy`) and describing a migrated schema
//! (used by the schema-parity test and by the copy itself).
use crate::{Backend, Result, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// Every table holding the network's data, parents before children. Sessions are not copied:
/// people sign in again after a move.
pub const TABLES: &[&str] = &[
    "labs",
    "organisations",
    "lab_partners",
    "people",
    "users",
    "user_lab_roles",
    "consents",
    "cohorts",
    "residencies",
    "residency_transitions",
    "residency_declines",
    "application_repeats",
    "api_tokens",
    "account_links",
    "health_probe",
    "audit_log",
    "programmes",
    "programme_modules",
    "training_sessions",
    "enrolments",
    "attendance",
    "assertions",
    "events",
    "network_members",
    "registrations",
    "ticket_links",
    "jobs",
    "mentor_profiles",
    "mentoring_wishes",
    "mentoring_matches",
    "mentoring_sessions",
    "support_services",
    "support_cases",
    "case_notes",
    "referrals",
    "outcomes",
    "indicator_targets",
    "practices",
    "grant_calls",
    "grant_criteria",
    "grant_applications",
    "grant_budget_lines",
    "grant_team_members",
    "grant_attachments",
    "grant_reviewers",
    "grant_conflicts",
    "grant_reviews",
    "grant_scores",
    "grant_awards",
    "grant_tranches",
    "grant_payments",
    "grant_reports",
    "ventures",
    "venture_members",
    "survey_instruments",
    "survey_scales",
    "survey_questions",
    "survey_responses",
    "survey_answers",
    "survey_scores",
    "erasures",
    "message_channels",
    "message_prefs",
    "telegram_codes",
    "group_messages",
    "messages",
    "package_versions",
    "package_imports",
    "package_items",
    "space_resources",
    "space_closures",
    "space_prices",
    "space_plans",
    "space_person_plans",
    "space_bookings",
    "space_slots",
    "space_settings",
    "space_invoice_counters",
    "space_invoices",
    "space_invoice_lines",
    "space_payments",
    "space_costs",
    "space_income",
    // The showcase before the campaigns: a reward tier may name a maker's product.
    "maker_profiles",
    "maker_products",
    "campaigns",
    "campaign_files",
    "campaign_budget_lines",
    "campaign_tiers",
    "campaign_updates",
    "pledges",
    "campaign_ledger",
    "venture_sales",
    "fair_makers",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColType {
    Int,
    Real,
    Text,
    /// Bytes (SQLite BLOB, PostgreSQL bytea): attachments.
    Blob,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub name: String,
    pub ty: ColType,
    pub nullable: bool,
}

fn col_type(declared: &str) -> ColType {
    let d = declared.to_uppercase();
    if d.contains("BLOB") || d.contains("BYTEA") {
        ColType::Blob
    } else if d.contains("INT") {
        ColType::Int
    } else if d.contains("REAL") || d.contains("DOUBLE") || d.contains("FLOAT") {
        ColType::Real
    } else {
        ColType::Text
    }
}

/// The columns of a table, in their order, with a backend-neutral type.
pub async fn columns(store: &Store, c: &mut AnyConnection, table: &str) -> Result<Vec<Column>> {
    let rows = match store.backend() {
        Backend::Sqlite => {
            sqlx::query("SELECT name, type AS ty, \"notnull\" AS nn, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(c)
                .await?
        }
        Backend::Postgres => {
            sqlx::query(
                "SELECT column_name::text AS name, data_type::text AS ty,
                        CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END::bigint AS nn, 0::bigint AS pk
                 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
                 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(c)
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            let nn: i64 = r.try_get("nn")?;
            let pk: i64 = r.try_get("pk")?;
            Ok(Column {
                name: r.try_get("name")?,
                ty: col_type(&r.try_get::<String, _>("ty")?),
                // SQLite reports a TEXT PRIMARY KEY as nullable; it never holds NULL here.
                nullable: nn == 0 && pk == 0,
            })
        })
        .collect()
}

/// The names of the user tables (not the migration bookkeeping), sorted.
pub async fn tables(store: &Store, c: &mut AnyConnection) -> Result<Vec<String>> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            // people_search (FTS5) and its shadow tables: an index, built again by triggers.
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' AND name NOT LIKE 'people_search%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_sqlx%' ORDER BY name"
        }
    };
    let rows = sqlx::query(sql).fetch_all(c).await?;
    rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub rows: Vec<(String, u64)>,
}

enum Val {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

/// Copies every table from `from` to `to` (both migrated) in one transaction on the target.
/// Refuses to write into a target that already holds a network.
pub async fn copy(from: &Store, to: &Store) -> Result<CopyReport> {
    let mut src = from.conn().await?;
    let mut tx = to.begin().await?;
    let existing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM labs")
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    let people: i64 = sqlx::query("SELECT COUNT(*) AS n FROM people")
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if existing + people > 0 {
        return Err(StoreError::BadUrl(
            "the target database already holds data; copy into a new, empty database".into(),
        ));
    }
    let mut report = CopyReport::default();
    for table in TABLES {
        let cols = columns(from, &mut src, table).await?;
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        // Ordered by the first column (ids are time-ordered UUIDs), so a row that points at an
        // earlier row of its own table (a referral) arrives after it.
        let select = format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "));
        let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        let rows = crate::dynamic(select).fetch_all(&mut *src).await?;
        for r in &rows {
            let mut vals = Vec::with_capacity(cols.len());
            for col in &cols {
                let n = col.name.as_str();
                vals.push(match col.ty {
                    ColType::Int => Val::Int(r.try_get(n)?),
                    ColType::Real => Val::Real(r.try_get(n)?),
                    ColType::Text => Val::Text(r.try_get(n)?),
                    ColType::Blob => Val::Blob(r.try_get(n)?),
                });
            }
            // The row's id (its first column) names it if it cannot be moved.
            let id = match vals.first() {
                Some(Val::Int(Some(x))) => x.to_string(),
                Some(Val::Text(Some(x))) => x.clone(),
                _ => "?".to_string(),
            };
            let mut q = crate::dynamic(insert.clone());
            for v in vals {
                q = match v {
                    Val::Int(x) => q.bind(x),
                    Val::Real(x) => q.bind(crate::Float(x)),
                    Val::Text(x) => q.bind(x),
                    Val::Blob(x) => q.bind(x),
                };
            }
            if let Err(e) = q.execute(&mut *tx).await {
                return Err(StoreError::CopyRow {
                    table: table.to_string(),
                    id,
                    error: e.to_string(),
                });
            }
        }
        report.rows.push((table.to_string(), rows.len() as u64));
    }
    if to.backend() == Backend::Postgres {
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log), false)",
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// Row counts per table, to compare two databases after a copy.
pub async fn counts(store: &Store) -> Result<Vec<(String, i64)>> {
    let mut c = store.conn().await?;
    counts_on(&mut c, TABLES).await
}

/// Row counts of the given tables on one connection (inside a transaction, they are of one
/// moment: the backup compares them with the file it wrote).
pub async fn counts_on(c: &mut AnyConnection, tables: &[&str]) -> Result<Vec<(String, i64)>> {
    let mut out = vec![];
    for t in tables {
        let n: i64 = crate::dynamic(format!("SELECT COUNT(*) AS n FROM {t}"))
            .fetch_one(&mut *c)
            .await?
            .try_get("n")?;
        out.push((t.to_string(), n));
    }
    Ok(out)
}
