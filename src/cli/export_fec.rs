//! `passerelle export-fec`: the legal FEC file of a consumer's folder, for operators, with the
//! same reading and checks as the HTTP export and a progress line on stderr.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use clap::Args;
use fec::{Encoding, Format, Progress, Separator};
use indicatif::{ProgressBar, ProgressStyle};
use uuid::Uuid;

use crate::auth::tenant::TenantContext;
use crate::config::{ProcessEnv, Settings};
use crate::service::accounting::{self, Selector};
use crate::state::AppState;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ExportFec {
    /// The consumer whose connection reads the books.
    #[arg(long)]
    pub consumer: Uuid,
    /// The folder (MyUnisoft society id); optional with a society token.
    #[arg(long)]
    pub folder: Option<String>,
    /// The fiscal year closing in this calendar year.
    #[arg(long, conflicts_with_all = ["from", "to"], required_unless_present_all = ["from", "to"])]
    pub year: Option<i32>,
    /// First day (YYYY-MM-DD).
    #[arg(long, requires = "to")]
    pub from: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD).
    #[arg(long, requires = "from")]
    pub to: Option<NaiveDate>,
    /// Where to write the file; a directory gets the legal name `{SIREN}FEC{AAAAMMJJ}.txt`.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
    /// Column separator.
    #[arg(long, value_enum, default_value = "pipe")]
    pub separator: SeparatorArg,
    /// Text encoding.
    #[arg(long, value_enum, default_value = "utf8")]
    pub encoding: EncodingArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SeparatorArg {
    Pipe,
    Tab,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum EncodingArg {
    Utf8,
    Latin9,
}

/// Shows the export's counters until `done` is set.
fn progress_bar(progress: Arc<Progress>) -> (ProgressBar, tokio::task::JoinHandle<()>) {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let shown = bar.clone();
    let ticker = tokio::spawn(async move {
        loop {
            shown.set_message(format!(
                "read {:.1} MB, {} movements; {} rows written",
                Progress::get(&progress.bytes_read) as f64 / 1e6,
                Progress::get(&progress.movements_read),
                Progress::get(&progress.rows_written)
            ));
            shown.tick();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    (bar, ticker)
}

pub async fn run(args: ExportFec) -> Result<(), String> {
    let settings = Settings::from_env(&ProcessEnv).map_err(|e| e.to_string())?;
    let store =
        Store::open(&settings.database.url).await.map_err(|e| format!("DATABASE_URL: {e}"))?;
    let account = store
        .consumers()
        .account_of(args.consumer)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("--consumer: no consumer {}", args.consumer))?;
    let state = AppState::new(&settings, store)?;
    let tenant = TenantContext { account_id: account };
    let ctx = accounting::context(&state, &tenant, args.consumer, &Selector::default())
        .await
        .map_err(|e| e.to_string())?;
    let folder = args.folder.as_deref();
    let (from, to) = match (args.year, args.from, args.to) {
        (Some(year), _, _) => {
            let years =
                accounting::bookyears(&state, &ctx, folder).await.map_err(|e| e.to_string())?;
            let found = years
                .iter()
                .find(|y| y.end.year() == year)
                .ok_or_else(|| format!("--year: no fiscal year closes in {year}"))?;
            (found.start, found.end)
        }
        (None, Some(from), Some(to)) => (from, to),
        _ => return Err("give --year, or --from and --to".into()),
    };
    let progress = Arc::new(Progress::default());
    let (bar, ticker) = progress_bar(progress.clone());
    let file = crate::service::fec::export_fec(&state, &ctx, folder, from, to, progress.clone())
        .await
        .map_err(|e| e.to_string());
    let result = match file {
        Ok(file) => {
            let name = file.file_name.map_err(|e| e.to_string())?;
            let target =
                if args.output.is_dir() { args.output.join(&name) } else { args.output.clone() };
            let format = Format::Text {
                separator: match args.separator {
                    SeparatorArg::Pipe => Separator::Pipe,
                    SeparatorArg::Tab => Separator::Tab,
                },
                encoding: match args.encoding {
                    EncodingArg::Utf8 => Encoding::Utf8,
                    EncodingArg::Latin9 => Encoding::Latin9,
                },
            };
            let export = file.export;
            let counters = progress.clone();
            let lines = export.line_count();
            tokio::task::spawn_blocking(move || {
                write_atomically(&target, |out| export.write(format, out, &counters))
                    .map(|()| target)
            })
            .await
            .map_err(|e| e.to_string())?
            .map(|target| (target, lines))
        }
        Err(e) => Err(e),
    };
    ticker.abort();
    bar.finish_and_clear();
    let (target, lines) = result?;
    eprintln!("wrote {lines} lines to {}", target.display());
    Ok(())
}

/// Writes beside `target` and renames at the end, so that a failure never leaves a short file
/// under the final name.
fn write_atomically(
    target: &Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), String> {
    let partial = target.with_extension("partial");
    let file =
        std::fs::File::create(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    let mut out = BufWriter::new(file);
    let written = write(&mut out).and_then(|()| out.flush());
    match written {
        Ok(()) => {
            std::fs::rename(&partial, target).map_err(|e| format!("{}: {e}", target.display()))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(format!("the export stopped, no file was left: {e}"))
        }
    }
}
