//! The `petajalan` command: serve the API, apply migrations, import a road map file, make a
//! synthetic road map, manage accounts, print the OpenAPI document.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use petajalan::auth::AuthState;
use petajalan::config::Settings;
use petajalan::db::import::{ImportReport, import_document};
use petajalan::db::migrate;
use petajalan::db::pool::{PoolOptions, build_pool};
use petajalan::domain::lang::Lang;
use petajalan::domain::roadmap_file::{MAX_FILE_BYTES, parse_roadmap_file};
use petajalan::local_postgres::{self, Source};
use petajalan::startup::Application;
use petajalan::{api_doc, telemetry};

mod accounts_cli;
mod synth_cli;

/// Database name used on a local server or private cluster when `DATABASE_URL` is not set.
const LOCAL_DATABASE: &str = "petajalan";

#[derive(Parser)]
#[command(
    name = "petajalan",
    version,
    about = "Layanan peta jalan reformasi birokrasi: tujuan, sasaran, kegiatan utama, indikator, baseline dan target."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Menjalankan API HTTP setelah menerapkan migrasi yang tertunda.
    Serve {
        /// Berkas peta jalan (TOML) yang diimpor sebelum layanan menerima permintaan; boleh
        /// disebut beberapa kali.
        #[arg(long = "import", value_name = "FILE")]
        imports: Vec<PathBuf>,
    },
    /// Menerapkan migrasi basis data yang tertunda.
    Migrate,
    /// Memeriksa dan mengimpor berkas peta jalan (TOML) dalam satu transaksi.
    Import {
        /// Berkas peta jalan, misalnya data/semarang-2023-2024.toml.
        file: PathBuf,
        /// Hanya memeriksa berkas, tanpa menyentuh basis data.
        #[arg(long)]
        check: bool,
    },
    /// Membuat peta jalan sintetis N kali ukuran sebuah berkas peta jalan, dengan periode dan
    /// realisasi setiap triwulan, untuk uji beban. Kode yang sudah dipakai ditolak.
    Synth {
        /// Berapa kali ukuran peta jalan sumber, 1 sampai 1000.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
        scale: u32,
        /// Kode peta jalan baru; bawaannya kode sumber ditambah -x<skala>, misalnya
        /// semarang-2023-2024-x10.
        #[arg(long)]
        code: Option<String>,
        /// Berkas peta jalan sumber.
        #[arg(long = "from", value_name = "FILE", default_value = "data/semarang-2023-2024.toml")]
        from: PathBuf,
    },
    /// Mengelola pengguna: membuat, menonaktifkan, mengganti kata sandi.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Mengelola klien layanan (sistem lain seperti e-SAKIP).
    Client {
        #[command(subcommand)]
        action: ClientCommand,
    },
    /// Mencetak dokumen OpenAPI (JSON).
    Openapi {
        /// Menulis ke berkas ini alih-alih ke keluaran standar.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Membuat pengguna; kata sandi dibaca dari prompt atau dari masukan standar.
    Create {
        /// Nama pengguna: huruf kecil, angka, titik, garis bawah, tanda hubung.
        #[arg(long)]
        username: String,
        /// Nama tampilan; bawaannya nama pengguna.
        #[arg(long)]
        display_name: Option<String>,
        /// Peran: admin, opd atau viewer.
        #[arg(long)]
        role: String,
        /// Id atau kode organisasi, wajib untuk peran opd.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Menonaktifkan pengguna dan mencabut token penyegarnya.
    Deactivate {
        /// Nama pengguna.
        username: String,
    },
    /// Mengganti kata sandi pengguna (dibaca dari prompt atau masukan standar) dan mencabut
    /// token penyegarnya.
    ResetPassword {
        /// Nama pengguna.
        username: String,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Membuat klien layanan. Rahasia dibaca dari prompt atau masukan standar; jika kosong,
    /// rahasia acak dibuat dan dicetak sekali.
    Create {
        /// Id klien: huruf kecil, angka, titik, garis bawah, tanda hubung.
        #[arg(long)]
        client_id: String,
        /// Nama sistem, misalnya "e-SAKIP Kota Semarang".
        #[arg(long)]
        name: String,
        /// Cakupan dipisah koma: read, submit.
        #[arg(long, default_value = "read")]
        scopes: String,
        /// Id atau kode organisasi yang diwakili; tanpa ini, semua organisasi.
        #[arg(long)]
        organisation: Option<String>,
    },
}

fn main() -> ExitCode {
    petajalan::memory::return_large_blocks();

    // A missing .env file is normal; the environment alone may hold the settings.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();

    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            let lang = std::env::var("PETAJALAN_LANG").ok().and_then(|code| Lang::from_code(&code)).unwrap_or_default();
            eprintln!("{}", error.message(lang));
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format, &settings.log_filter);

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!(
                "{}: {error}",
                settings.lang.pick("Runtime tokio gagal dibuat", "Cannot build the tokio runtime")
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, &settings)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{}: {error:#}", settings.lang.pick("Gagal", "Failed"));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: &Settings) -> anyhow::Result<ExitCode> {
    let lang = settings.lang;
    match command {
        Command::Openapi { output } => {
            let json = api_doc::document_json()?;
            match output {
                Some(path) => {
                    std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))?
                }
                None => print!("{json}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file, check: true } => {
            Ok(check_file(&file, lang).map_or(ExitCode::from(1), |_| ExitCode::SUCCESS))
        }
        Command::Import { file, check: false } => {
            let database = Database::open(settings).await?;
            let code = import_files(&database.url, &[file], lang).await?;
            database.close().await;
            Ok(code)
        }
        Command::Migrate => {
            let database = Database::open(settings).await?;
            let applied = migrate::run_pending(&database.url, lang).await?;
            println!("{}: {}", lang.pick("Migrasi diterapkan", "Migrations applied"), applied.len());
            database.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Synth { scale, code, from } => {
            let database = Database::open(settings).await?;
            migrate::run_pending(&database.url, lang).await?;
            let result = synth_cli::synth(&from, scale, code, &database.url, lang).await;
            database.close().await;
            result
        }
        Command::User { action } => {
            let database = Database::open(settings).await?;
            migrate::run_pending(&database.url, lang).await?;
            let result = accounts_cli::user(action, &database.url, lang).await;
            database.close().await;
            result
        }
        Command::Client { action } => {
            let database = Database::open(settings).await?;
            migrate::run_pending(&database.url, lang).await?;
            let result = accounts_cli::client(action, &database.url, lang).await;
            database.close().await;
            result
        }
        Command::Serve { imports } => {
            let database = Database::open(settings).await?;
            let result = serve(settings, &database.url, &imports).await;
            database.close().await;
            result
        }
    }
}

async fn serve(settings: &Settings, database_url: &str, imports: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let applied = migrate::run_pending(database_url, settings.lang).await?;
    tracing::info!(count = applied.len(), "migrations applied");

    if !imports.is_empty() {
        let code = import_files(database_url, imports, settings.lang).await?;
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
    }

    let pool = build_pool(
        database_url,
        PoolOptions {
            max_size: settings.db_pool_size,
            wait_timeout: settings.db_pool_timeout,
            statement_timeout: settings.db_statement_timeout,
        },
    )?;
    let secret = match &settings.auth.jwt_secret {
        Some(secret) => secret.clone(),
        None => {
            tracing::warn!(
                "PETAJALAN_JWT_SECRET is not set; signing access tokens with a random key, so access tokens stop working when the service restarts and are not valid on other instances"
            );
            petajalan::auth::tokens::new_secret().into_bytes()
        }
    };
    let auth_settings = settings.auth.clone();
    let auth = tokio::task::spawn_blocking(move || AuthState::new(&auth_settings, &secret)).await??;
    let application = Application::build(settings, pool, auth, petajalan::clock::Clock::system())?;
    tracing::info!(address = %settings.bind.ip(), port = application.port(), "listening");
    application.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Migrates, then checks and imports each file; stops at the first invalid one.
async fn import_files(database_url: &str, files: &[PathBuf], lang: Lang) -> anyhow::Result<ExitCode> {
    migrate::run_pending(database_url, lang).await?;
    let mut connection = {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(database_url)
            .await
            .with_context(|| petajalan::config::connection_hint(database_url, lang))?
    };

    for file in files {
        let Some(document) = check_file(file, lang) else {
            return Ok(ExitCode::from(1));
        };
        let report = import_document(&mut connection, &document).await?;
        print_report(file, &report, lang);
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads and validates a file, printing every problem; returns the document when valid.
fn check_file(path: &Path, lang: Lang) -> Option<petajalan::domain::roadmap_file::RoadmapDocument> {
    let display = path.display();
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => {
            eprintln!("{display}: {}: {error}", lang.pick("berkas tidak dapat dibaca", "cannot read the file"));
            return None;
        }
    };
    if metadata.len() > MAX_FILE_BYTES as u64 {
        eprintln!(
            "{display}: {} {MAX_FILE_BYTES} byte",
            lang.pick("berkas lebih besar dari", "the file is larger than")
        );
        return None;
    }
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!(
                "{display}: {}: {error}",
                lang.pick("berkas tidak dapat dibaca sebagai UTF-8", "cannot read the file as UTF-8")
            );
            return None;
        }
    };

    match parse_roadmap_file(&source) {
        Ok(document) => {
            println!(
                "{display}: {} ({} {}, {} {}, {} {})",
                lang.pick("berkas valid", "the file is valid"),
                document.indicators.len(),
                lang.pick("indikator", "indicators"),
                document.organisations.len(),
                lang.pick("organisasi", "organisations"),
                document.plans.len(),
                lang.pick("rencana aksi", "action plans"),
            );
            Some(document)
        }
        Err(problems) => {
            eprintln!(
                "{display}: {} {} {}",
                lang.pick("berkas ditolak,", "the file is rejected,"),
                problems.len(),
                lang.pick("masalah; tidak ada yang disimpan:", "problems; nothing was stored:"),
            );
            for problem in problems {
                eprintln!("{display}:{}:{}: {}", problem.line, problem.column, problem.message(lang));
            }
            None
        }
    }
}

fn print_report(path: &Path, report: &ImportReport, lang: Lang) {
    let verdict = if report.changed_anything() {
        lang.pick("diimpor", "imported")
    } else {
        lang.pick("tidak ada perubahan", "no changes")
    };
    println!("{}: {} {} ({verdict})", path.display(), lang.pick("peta jalan", "road map"), report.roadmap_code);
    println!(
        "  {:<24} {:>8} {:>8} {:>8} {:>8}",
        lang.pick("tabel", "table"),
        lang.pick("baru", "inserted"),
        lang.pick("diubah", "updated"),
        lang.pick("tetap", "unchanged"),
        lang.pick("dihapus", "deleted"),
    );
    for (table, counts) in &report.tables {
        println!(
            "  {table:<24} {:>8} {:>8} {:>8} {:>8}",
            counts.inserted, counts.updated, counts.unchanged, counts.deleted
        );
    }
    for record in &report.absent_from_file {
        println!(
            "  {}: {record}",
            lang.pick(
                "ada di basis data tetapi tidak di berkas (dibiarkan)",
                "in the database but not in the file (left unchanged)"
            )
        );
    }
}

/// The database to use, and the private cluster to stop afterwards if this process started it.
struct Database {
    url: String,
    started_cluster: Option<PathBuf>,
}

impl Database {
    async fn open(settings: &Settings) -> anyhow::Result<Database> {
        if let Some(url) = &settings.database_url {
            return Ok(Database { url: url.clone(), started_cluster: None });
        }

        let server = local_postgres::find_server(&settings.data_dir).await?;
        local_postgres::ensure_database(&server, LOCAL_DATABASE)
            .await
            .with_context(|| petajalan::config::connection_hint(&server.database_url("postgres"), settings.lang))?;
        let started_cluster = match &server.source {
            Source::LocalServer => {
                tracing::info!(
                    server = local_postgres::LOCAL_SERVER_URL,
                    database = LOCAL_DATABASE,
                    "DATABASE_URL is not set; using the local PostgreSQL server"
                );
                None
            }
            Source::PrivateCluster { dir, started } => {
                tracing::info!(data_dir = %dir.display(), database = LOCAL_DATABASE, "DATABASE_URL is not set and no local server responds; using a private PostgreSQL cluster");
                started.then(|| dir.clone())
            }
        };
        Ok(Database { url: server.database_url(LOCAL_DATABASE), started_cluster })
    }

    /// Stops the private cluster if this process started it.
    async fn close(self) {
        if let Some(dir) = self.started_cluster {
            match local_postgres::stop_private_cluster(&dir).await {
                Ok(()) => tracing::info!(data_dir = %dir.display(), "private PostgreSQL cluster stopped"),
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "cannot stop the private PostgreSQL cluster")
                }
            }
        }
    }
}
