//! The `synth` command: a synthetic road map N times the size of a data file's, with periods
//! and realisations, for load tests and benchmarks.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use petajalan::config::connection_hint;
use petajalan::domain::lang::Lang;
use petajalan::domain::synth::default_code;
use petajalan::services::synth::{SYNTH_USERNAME, SynthError, SynthSummary, synthesise};

pub async fn synth(
    file: &Path,
    scale: u32,
    code: Option<String>,
    database_url: &str,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let Some(source) = crate::check_file(file, lang) else {
        return Ok(ExitCode::from(1));
    };
    let code = code.unwrap_or_else(|| default_code(&source.roadmap.code, scale));
    let mut connection =
        AsyncPgConnection::establish(database_url).await.with_context(|| connection_hint(database_url, lang))?;

    let started = Instant::now();
    match synthesise(&mut connection, &source, scale, &code).await {
        Ok(summary) => {
            crate::print_report(file, &summary.import, lang);
            print_summary(&code, scale, &summary, started.elapsed().as_secs_f64(), lang);
            Ok(ExitCode::SUCCESS)
        }
        Err(SynthError::Invalid(problems)) => {
            for problem in problems {
                eprintln!("{}: {}", problem.field, problem.message(lang));
            }
            Ok(ExitCode::from(2))
        }
        Err(SynthError::Exists(code)) => {
            match lang {
                Lang::Id => eprintln!(
                    "peta jalan {code} sudah ada; generator tidak mengubah peta jalan yang sudah ada, jadi tidak ada yang disimpan. Pilih kode lain dengan --code."
                ),
                Lang::En => eprintln!(
                    "road map {code} exists; the generator never changes an existing road map, so nothing was stored. Choose another code with --code."
                ),
            }
            Ok(ExitCode::from(1))
        }
        Err(SynthError::Failed(error)) => Err(error),
    }
}

fn print_summary(code: &str, scale: u32, summary: &SynthSummary, seconds: f64, lang: Lang) {
    println!(
        "{} {code} (×{scale}): {} {}, {} {}.",
        lang.pick("Peta jalan sintetis", "Synthetic road map"),
        summary.indicators,
        lang.pick("indikator", "indicators"),
        summary.periods,
        lang.pick("periode triwulan dibuka", "quarterly periods opened"),
    );
    println!(
        "{}: {} {} ({} {}, {} {}, {} {}; {} {}), {} {}, {} {}.",
        lang.pick("Realisasi", "Realisations"),
        summary.realisations(),
        lang.pick("ditulis", "written"),
        summary.verified,
        lang.pick("terverifikasi", "verified"),
        summary.submitted,
        lang.pick("dikirim", "submitted"),
        summary.returned,
        lang.pick("dikembalikan", "returned"),
        summary.late,
        lang.pick("terlambat", "late"),
        summary.missing,
        lang.pick("tidak dilaporkan", "not reported"),
        summary.versions,
        lang.pick("versi", "versions"),
    );
    println!(
        "{} {SYNTH_USERNAME}. {} {seconds:.1} {}.",
        lang.pick("Pelapor dan verifikator: pengguna nonaktif", "Reporter and verifier: the inactive user"),
        lang.pick("Selesai dalam", "Done in"),
        lang.pick("detik", "seconds"),
    );
}
