//! `wcl serve | migrate | demo | admin create-user | backup | restore | db copy`.
use crate::config::{self, FileConfig};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "wcl",
    version,
    about = "Runs a network of Women Creative Labs."
)]
pub struct Cli {
    /// Database: sqlite://path/to/file.db (embedded, no setup) or postgres://user@host/db.
    #[arg(long, global = true, env = "WCL_DATABASE_URL")]
    pub database_url: Option<String>,
    /// A TOML file with settings (database_url, bind, secure_cookies, session_idle_minutes, public_url, smtp_url, mail_from, log, trusted_proxies, case_key_file, backup_every, backup_keep, backup_dir, retention_days, telegram_bot_token, telegram_api_url, telegram_mode, sms_url, sms_auth, sms_format, sms_segment_tyiyn).
    #[arg(long, global = true, env = "WCL_CONFIG")]
    pub config: Option<PathBuf>,
    /// The file of keys that seal support-case notes (one per line, the current one first).
    /// `WCL_CASE_KEY` (comma-separated keys) wins over it; without either, `case.key` next to a
    /// SQLite database is used when present.
    #[arg(long, global = true, env = "WCL_CASE_KEY_FILE")]
    pub case_key_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web pages and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "WCL_BIND")]
        bind: Option<String>,
        /// Load the demo network first (idempotent) and print its logins.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (when served over HTTPS).
        #[arg(long, env = "WCL_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
        /// The address people reach this server at, for links in emails, badges and calendars.
        #[arg(long, env = "WCL_PUBLIC_URL")]
        public_url: Option<String>,
        /// SMTP server for confirmations and reminders: smtp://host:25, smtps://user:pass@host:465,
        /// smtp://user:pass@host:587?tls=required. Unset, messages wait in the queue.
        #[arg(long, env = "WCL_SMTP_URL")]
        smtp_url: Option<String>,
        /// The From address of messages.
        #[arg(long, env = "WCL_MAIL_FROM")]
        mail_from: Option<String>,
        /// Reverse proxies (comma-separated addresses) whose X-Forwarded-For names the client,
        /// for the sign-in limits per address. Unset, the header is ignored.
        #[arg(long, env = "WCL_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<String>,
        /// Database connections kept open (default 8 on SQLite, 16 on PostgreSQL).
        #[arg(long, env = "WCL_DB_POOL_SIZE")]
        db_pool_size: Option<u32>,
        /// Seconds a request waits for a database connection before answering 503 (default 5).
        #[arg(long, env = "WCL_DB_WAIT_SECONDS")]
        db_wait_seconds: Option<u64>,
        /// Take an online backup of the SQLite database this often (e.g. 6h, 30m, 1d), checked
        /// once written (integrity and row counts). Unset, no scheduled backup.
        #[arg(long, env = "WCL_BACKUP_EVERY")]
        backup_every: Option<String>,
        /// How many scheduled backups to keep (the oldest go first; default 14).
        #[arg(long, env = "WCL_BACKUP_KEEP")]
        backup_keep: Option<usize>,
        /// Where scheduled backups go (default: `backups` next to the database).
        #[arg(long, env = "WCL_BACKUP_DIR")]
        backup_dir: Option<PathBuf>,
        /// Days after which declined applications and event registrations never linked to a
        /// person are erased (default 730).
        #[arg(long, env = "WCL_RETENTION_DAYS")]
        retention_days: Option<i64>,
        /// Telegram and SMS.
        #[command(flatten)]
        messaging: Box<crate::config::MessagingArgs>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Load the demo network (three labs, staff, about 60 residents); does nothing if present.
    /// With --labs and --people, add a network of that size beside it (labs net-0001…) with
    /// three years of history in proportion, for benchmarks.
    Demo {
        /// Labs to generate (1–9999); goes with --people.
        #[arg(long, requires = "people")]
        labs: Option<usize>,
        /// People to generate between those labs; goes with --labs.
        #[arg(long, requires = "labs")]
        people: Option<usize>,
        /// The same seed gives the same network (on the same day).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// A consistent copy of a running SQLite database, checked once written (for PostgreSQL it
    /// explains pg_dump).
    Backup { file: PathBuf },
    /// Put a SQLite backup in place of the database, after checking it (header, integrity,
    /// migrations). Stop the server first.
    Restore {
        file: PathBuf,
        /// Replace an existing database (it is kept beside it as <name>.before-restore-<time>).
        #[arg(long)]
        force: bool,
    },
    /// Database tools.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// A lab's package (programmes, surveys, grant templates, texts, targets): export, import.
    Package {
        #[command(subcommand)]
        command: PackageCommand,
    },
    /// Keys of the psychosocial support cases.
    Support {
        #[command(subcommand)]
        command: SupportCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum PackageCommand {
    /// Write the lab's package (JSON) to FILE.
    Export {
        /// The lab's slug.
        #[arg(long)]
        lab: String,
        file: PathBuf,
        /// The version to write (default: one more than the newest in the library, else 1).
        #[arg(long)]
        version: Option<String>,
        /// Also store it in the network library.
        #[arg(long)]
        publish: bool,
    },
    /// Import the package in FILE into the lab: all or nothing, matched by stable codes.
    Import {
        /// The lab's slug.
        #[arg(long)]
        lab: String,
        file: PathBuf,
        /// Only print what would be done.
        #[arg(long)]
        dry_run: bool,
        /// Replace items the lab edited since the last import.
        #[arg(long)]
        overwrite: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SupportCommand {
    /// Print a new random key (base64) for WCL_CASE_KEY or a key file.
    NewKey,
    /// Re-encrypt every case note with the current key (the first one configured), in one
    /// transaction. Put the new key first and keep the old ones after it until this has run.
    RotateKey,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an account. The password is read from standard input.
    CreateUser {
        /// E-mail, or a phone in international form (+996…).
        #[arg(long)]
        login: String,
        /// admin, coordinator, mentor, case-worker, reviewer or resident.
        #[arg(long)]
        role: String,
        /// The lab (slug) for coordinator, mentor, case-worker and reviewer.
        #[arg(long)]
        lab: Option<String>,
        /// Name shown in the interface (defaults to the login).
        #[arg(long)]
        name: Option<String>,
        /// For a resident: her person id (from her page address).
        #[arg(long)]
        person: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Copy a whole network into a new, empty database (SQLite ↔ PostgreSQL).
    Copy {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(file.log.as_deref());
    for v in config::unknown_vars() {
        tracing::warn!(variable = %v, "unknown WCL_ environment variable (a typo?)");
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli, file)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(file_level: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = std::env::var("WCL_LOG")
        .ok()
        .or(file_level.map(str::to_string))
        .unwrap_or_else(|| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(filter))
        .with_writer(std::io::stderr);
    if std::env::var("WCL_LOG_FORMAT").is_ok_and(|f| f == "json") {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

fn database_url(cli: &Option<String>, file: &FileConfig) -> String {
    cli.clone()
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| config::DEFAULT_DATABASE_URL.to_string())
}

async fn open(url: &str) -> anyhow::Result<store::Store> {
    store::Store::open(url)
        .await
        .with_context(|| format!("cannot open the database {}", store::redact(url)))
}

fn hash(p: &str) -> String {
    web::secrets::hash_password(p).expect("argon2 hashing does not fail for valid parameters")
}

/// The support-case keys for this run (see [`config::case_keys`]); says where they came from.
fn case_keys(
    cli_file: &Option<PathBuf>,
    file: &FileConfig,
    url: &str,
    generate: bool,
) -> anyhow::Result<Option<std::sync::Arc<web::sealed::Keyring>>> {
    let env = std::env::var("WCL_CASE_KEY").ok();
    let key_file = cli_file.clone().or(file.case_key_file.clone());
    match config::case_keys(env.as_deref(), key_file.as_deref(), url, generate)? {
        Some((ring, source)) => {
            println!("support-case key {} from {source}", ring.current_id());
            Ok(Some(std::sync::Arc::new(ring)))
        }
        None => {
            println!(
                "no support-case key configured (WCL_CASE_KEY or WCL_CASE_KEY_FILE): support cases are disabled"
            );
            Ok(None)
        }
    }
}

pub async fn run(cli: Cli, file: FileConfig) -> anyhow::Result<()> {
    let url = database_url(&cli.database_url, &file);
    match cli.command {
        Command::Serve {
            bind,
            demo,
            secure_cookies,
            public_url,
            smtp_url,
            mail_from,
            trusted_proxies,
            db_pool_size,
            db_wait_seconds,
            backup_every,
            backup_keep,
            backup_dir,
            retention_days,
            messaging,
        } => {
            let backups = match backup_every.or(file.backup_every.clone()) {
                Some(every) => {
                    let every = crate::backups::parse_duration(&every).context("--backup-every")?;
                    if store::Backend::from_url(&url)? != store::Backend::Sqlite {
                        bail!(
                            "--backup-every is for SQLite; back PostgreSQL up with pg_dump (see the README)"
                        );
                    }
                    let dir = backup_dir
                        .or(file.backup_dir.clone())
                        .or_else(|| crate::backups::default_dir(&url))
                        .context("--backup-dir is needed for this database")?;
                    let keep = backup_keep
                        .or(file.backup_keep)
                        .unwrap_or(crate::backups::DEFAULT_KEEP)
                        .max(1);
                    Some(crate::backups::Schedule { every, keep, dir })
                }
                None => None,
            };
            let pool = store::PoolSettings {
                max_connections: db_pool_size.or(file.db_pool_size),
                acquire_timeout: std::time::Duration::from_secs(
                    db_wait_seconds
                        .or(file.db_wait_seconds)
                        .unwrap_or(5)
                        .clamp(1, 120),
                ),
            };
            let store = store::Store::connect_with(&url, pool)
                .await
                .with_context(|| format!("cannot open the database {}", store::redact(&url)))?;
            store
                .migrate()
                .await
                .with_context(|| format!("cannot migrate the database {}", store::redact(&url)))?;
            let case_keys = case_keys(&cli.case_key_file, &file, &url, demo)?;
            if demo {
                let summary = crate::demo::seed(&store, &hash, case_keys.as_deref()).await?;
                print_demo(&summary);
            }
            let bind = bind
                .or(file.bind.clone())
                .unwrap_or_else(|| config::DEFAULT_BIND.to_string());
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .with_context(|| format!("cannot listen on {bind}"))?;
            let addr = listener.local_addr()?;
            let mut web_config = web::WebConfig {
                secure_cookies: secure_cookies.or(file.secure_cookies).unwrap_or(false),
                ..web::WebConfig::default()
            };
            if let Some(m) = file.session_idle_minutes {
                web_config.session_idle_minutes = m;
            }
            web_config.public_url = public_url.or(file.public_url.clone());
            web_config.case_keys = case_keys;
            web_config.smtp_url = smtp_url.or(file.smtp_url.clone());
            if let Some(f) = mail_from.or(file.mail_from.clone()) {
                web_config.mail_from = f;
            }
            if let Some(d) = retention_days.or(file.retention_days) {
                anyhow::ensure!(d >= 30, "retention_days must be at least 30 (got {d})");
                web_config.retention_days = d;
            }
            (*messaging).apply(&file, &mut web_config)?;
            let proxies = if trusted_proxies.is_empty() {
                file.trusted_proxies.clone().unwrap_or_default()
            } else {
                trusted_proxies
            };
            web_config.trusted_proxies = proxies
                .iter()
                .filter(|p| !p.trim().is_empty())
                .map(|p| {
                    p.trim()
                        .parse()
                        .with_context(|| format!("trusted_proxies: {p:?} is not an IP address"))
                })
                .collect::<anyhow::Result<_>>()?;
            let base = web_config.public_url.clone().unwrap_or_else(|| {
                let host = if addr.ip().is_unspecified() {
                    std::net::SocketAddr::new([127, 0, 0, 1].into(), addr.port())
                } else {
                    addr
                };
                format!("http://{host}")
            });
            // A fresh install has no admin: a one-time link (or the command) makes the first.
            if let Some(link) = web::services::links::setup_link(&store, &base).await? {
                println!(
                    "no network admin yet. Open this one-time link to create the first admin:"
                );
                println!("  {link}");
                println!(
                    "or run: wcl admin create-user --role admin --login you@example.kg --name \"Your Name\" --password-stdin"
                );
            }
            if let Some(b) = backups {
                println!(
                    "backups every {}s into {}, keeping {}",
                    b.every.as_secs(),
                    b.dir.display(),
                    b.keep
                );
                tokio::spawn(crate::backups::schedule(store.clone(), b));
            }
            println!(
                "wcl is running on http://{addr}  (database: {})",
                store::redact(&url)
            );
            tracing::info!(%addr, "listening");
            let state = web::AppState::new(store, web_config);
            web::serve(listener, state, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
            Ok(())
        }
        Command::Migrate => {
            open(&url).await?;
            println!("database is up to date: {}", store::redact(&url));
            Ok(())
        }
        Command::Demo { labs, people, seed } => {
            let size = match (labs, people) {
                (Some(labs), Some(people)) => {
                    let size = crate::generate::Size { labs, people, seed };
                    size.check()?;
                    Some(size)
                }
                _ => None,
            };
            let store = open(&url).await?;
            let case_keys = case_keys(&cli.case_key_file, &file, &url, true)?;
            let summary = crate::demo::seed(&store, &hash, case_keys.as_deref()).await?;
            print_demo(&summary);
            if let Some(size) = size {
                generate(&store, size).await?;
            }
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    login,
                    role,
                    lab,
                    name,
                    person,
                    password_stdin: _,
                },
        } => {
            let role = domain::Role::parse(&role).with_context(|| {
                format!(
                    "unknown role {role:?}: use admin, coordinator, mentor, case-worker, reviewer or resident"
                )
            })?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let store = open(&url).await?;
            let mut c = store.conn().await?;
            let lab_id = match &lab {
                Some(slug) => Some(
                    store::labs::lab_by_slug(&mut c, slug)
                        .await?
                        .with_context(|| format!("no lab with slug {slug:?}"))?
                        .id,
                ),
                None => None,
            };
            if matches!(role, domain::Role::Lab(_)) && lab_id.is_none() {
                bail!(
                    "--lab is required for the role coordinator, mentor, case-worker or reviewer"
                );
            }
            let person_id = match (&role, person) {
                (domain::Role::Resident, Some(p)) => Some(
                    p.parse::<domain::PersonId>()
                        .context("--person must be a person id")?,
                ),
                (domain::Role::Resident, None) => {
                    bail!("--person is required for a resident account")
                }
                _ => None,
            };
            drop(c);
            let display = name.unwrap_or_else(|| login.clone());
            let id = web::services::create_account(
                &store, None, &login, &display, &password, role, lab_id, person_id,
            )
            .await
            .map_err(|e| match e {
                web::error::AppError::Invalid(fields) => anyhow::anyhow!(
                    "{}",
                    fields
                        .iter()
                        .map(|(f, k)| format!("{f}: {}", web::i18n::Lang::En.t(k)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                other => anyhow::anyhow!("{other}"),
            })?;
            println!(
                "created account {id} ({})",
                store::users::normalise_login(&login)
            );
            Ok(())
        }
        Command::Backup { file: to } => {
            let store = open(&url).await?;
            let check = store::backup::backup_checked(&store, &to).await?;
            println!(
                "backup written to {} and checked: integrity ok, {} rows in {} tables, as in the database",
                to.display(),
                check.rows(),
                check.counts.len()
            );
            Ok(())
        }
        Command::Restore { file: from, force } => {
            let r = store::backup::restore(&url, &from, force).await?;
            // Erasures made after the backup was taken live in the database it replaced: carry
            // them over and erase those women again.
            let mut carried = vec![];
            if let Some(kept) = &r.kept {
                // Opened read-write: its last writes may still be in its WAL file.
                match store::Store::connect(&format!("sqlite://{}", kept.display())).await {
                    Ok(old) => {
                        match old.conn().await {
                            Ok(mut c) => match store::rights::erasure_list(&mut c).await {
                                Ok(list) => carried = list,
                                Err(e) => eprintln!(
                                    "warning: no list of erasures in the replaced database: {e}"
                                ),
                            },
                            Err(e) => eprintln!("warning: cannot read the replaced database: {e}"),
                        }
                        old.close().await;
                    }
                    Err(e) => eprintln!("warning: cannot open the replaced database: {e}"),
                }
            }
            let restored = open(&url).await?;
            {
                let mut tx = restored.begin().await?;
                store::rights::carry_erasures(&mut tx, &carried).await?;
                tx.commit().await?;
            }
            let erased = web::services::rights::reapply_erasures(&restored)
                .await
                .map_err(|e| anyhow::anyhow!("re-applying erasures: {e}"))?;
            restored.close().await;
            println!(
                "checked {}: SQLite, integrity ok, migrations up to {:04}, {} people in {} labs, {} rows",
                from.display(),
                r.check.migrations.last().copied().unwrap_or(0),
                r.check.count("people"),
                r.check.count("labs"),
                r.check.rows()
            );
            if let Some(kept) = &r.kept {
                println!("the database it replaced is kept as {}", kept.display());
            }
            if !r.migrated.is_empty() {
                let list: Vec<String> = r.migrated.iter().map(|v| format!("{v:04}")).collect();
                println!("brought up to date with migrations {}", list.join(", "));
            }
            println!("restored {} into {}", from.display(), r.target.display());
            println!(
                "re-applied {erased} erasures ({} carried over from the database it replaced)",
                carried.len()
            );
            println!(
                "support-case notes open only with the key file that sealed them: keep it with the backup"
            );
            Ok(())
        }
        Command::Db {
            command: DbCommand::Copy { from, to },
        } => {
            let source = open(&from).await?;
            let target = open(&to).await?;
            let report = store::copy::copy(&source, &target).await?;
            for (table, n) in report.rows {
                println!("{table:>24}  {n}");
            }
            println!("copied {} → {}", store::redact(&from), store::redact(&to));
            Ok(())
        }
        Command::Package { command } => package(&url, command).await,
        Command::Support {
            command: SupportCommand::NewKey,
        } => {
            println!("{}", web::sealed::generate_key()?);
            eprintln!(
                "put it first in the key file (or WCL_CASE_KEY), keep the old keys after it, then run `wcl support rotate-key`"
            );
            Ok(())
        }
        Command::Support {
            command: SupportCommand::RotateKey,
        } => {
            let keys = case_keys(&cli.case_key_file, &file, &url, false)?.context(
                "no support-case key is configured: set WCL_CASE_KEY or WCL_CASE_KEY_FILE",
            )?;
            let store = open(&url).await?;
            let r = web::services::support::rotate(&store, &keys).await?;
            println!(
                "re-encrypted {} notes and {} referral reasons with key {} ({} already used it)",
                r.notes,
                r.referrals,
                keys.current_id(),
                r.already_current
            );
            println!(
                "once every running server has been restarted with this key first, old keys can be removed from the key file (run rotate-key again then: it refuses while any value still needs an old key)"
            );
            Ok(())
        }
    }
}

/// A service's refusal as the operator reads it (messages in English).
fn explain(e: web::error::AppError) -> anyhow::Error {
    match e {
        web::error::AppError::Invalid(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|(f, k)| format!("{f}: {}", web::i18n::Lang::En.t(k)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn package(url: &str, command: PackageCommand) -> anyhow::Result<()> {
    use web::services::package as svc;
    let store = open(url).await?;
    let lab_of = |slug: String| {
        let store = store.clone();
        async move {
            web::services::labs::lab_by_slug(&store, &slug)
                .await
                .map_err(|_| anyhow::anyhow!("no lab with slug {slug:?}"))
        }
    };
    match command {
        PackageCommand::Export {
            lab,
            file,
            version,
            publish,
        } => {
            let lab = lab_of(lab).await?;
            let p = if publish {
                svc::publish_lab(&store, &lab, version.as_deref(), None).await
            } else {
                svc::export_lab(&store, &lab, version.as_deref(), None).await
            }
            .map_err(explain)?;
            std::fs::write(&file, p.to_json())
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!(
                "package {} version {} written to {} ({} items, sha256 {})",
                p.name,
                p.version,
                file.display(),
                p.items().len(),
                p.sha256()
            );
            Ok(())
        }
        PackageCommand::Import {
            lab,
            file,
            dry_run,
            overwrite,
        } => {
            let lab = lab_of(lab).await?;
            let meta = std::fs::metadata(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            if meta.len() > domain::package::MAX_BYTES as u64 {
                bail!(
                    "{}: {}",
                    file.display(),
                    web::i18n::Lang::En.t("err-package-too-big")
                );
            }
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let p = svc::read(&bytes).map_err(explain)?;
            let r = svc::import_into(&store, &lab, &p, dry_run, overwrite, None)
                .await
                .map_err(explain)?;
            for i in &r.items {
                println!("{:<12} {:<18} {}", i.step.code(), i.part, i.code);
            }
            println!(
                "{} {} → {}: {} created, {} changed, {} unchanged, {} kept{}",
                r.name,
                r.version,
                lab.slug,
                r.created,
                r.changed,
                r.unchanged,
                r.kept,
                if dry_run {
                    " (dry run: nothing changed)"
                } else {
                    ""
                }
            );
            Ok(())
        }
    }
}

/// Adds the generated network, with a progress bar on a terminal.
async fn generate(store: &store::Store, size: crate::generate::Size) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new(size.people as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} people ({per_sec}, {eta} left)",
        )?
        .progress_chars("=> "),
    );
    let done = crate::generate::generate(store, size, |n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    if done.created {
        println!(
            "generated {} labs, {} people: {} rows in {:.1} s ({:.0} rows/s)",
            size.labs,
            size.people,
            done.rows,
            done.seconds,
            done.rows as f64 / done.seconds.max(0.001)
        );
    } else {
        println!("generated network already present (lab net-0001)");
    }
    Ok(())
}

fn print_demo(summary: &crate::demo::DemoSummary) {
    if summary.created {
        println!("demo network loaded");
    } else {
        println!("demo network already present");
    }
    println!("demo logins:");
    for (login, password, what) in &summary.logins {
        println!("  {login:<32} {password:<22} {what}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
