//! The command line: `serve`, `migrate`, `account create`, `rotate-key`, `openapi`, `sandbox`,
//! `demo`, `export-fec` and `datalayer`.

mod datalayer;
mod demo;
mod export_fec;

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use myunisoft_sandbox::{self as sandbox, SandboxConfig};
use serde_json::json;

use crate::api::detach;
use crate::app::{self, App};
use crate::auth::secrets::SecretDigests;
use crate::config::{self, DatabaseSettings, DatalayerSettings, ProcessEnv, Settings};
use crate::datalayer::sync::{Cadence, Engine};
use crate::service::{accounts, idempotent};
use crate::store::Store;
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(name = "passerelle", version, about = "Chift-compatible unified accounting API gateway")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (migrates the database first). Configured by the environment.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API accounts (the clientId/clientSecret pairs that call POST /token).
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Re-encrypt every stored credential under PASSERELLE_MASTER_KEY, opening older rows with
    /// PASSERELLE_PREVIOUS_MASTER_KEYS. All rows or none are rotated.
    RotateKey,
    /// Print the OpenAPI document.
    Openapi,
    /// The data layer of a consumer's connections: status, enable, refresh.
    Datalayer {
        #[command(subcommand)]
        command: datalayer::DatalayerCommand,
    },
    /// Write the legal FEC file of a consumer's folder (same checks as the HTTP export), with
    /// progress on stderr. Reads the same environment as `serve`.
    ExportFec(export_fec::ExportFec),
    /// Run everything locally with no set-up: SQLite under the data dir, the MyUnisoft sandbox,
    /// the gateway on 127.0.0.1:8080, and a ready account, consumer and connection.
    Demo,
    /// Run the MyUnisoft simulator until SIGINT/SIGTERM. Prints one JSON line with its base URL,
    /// the partner secret and the seeded tokens.
    Sandbox {
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account; prints {"accountId","clientId","clientSecret"} on stdout. The secret
    /// is shown once and only its keyed digest is stored (needs `PASSERELLE_JWT_SECRET`).
    Create {
        #[arg(long)]
        name: String,
    },
}

/// A failure to report on one line before exiting non-zero.
pub type CliResult = Result<(), String>;

pub async fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Serve => serve().await,
        Command::Migrate => {
            let _telemetry =
                telemetry::init(config::log_format(&ProcessEnv).map_err(|e| e.to_string())?)?;
            let store = open_store().await?;
            tracing::info!(backend = ?store.backend(), "migrations applied");
            Ok(())
        }
        Command::Account { command: AccountCommand::Create { name } } => {
            create_account(&name).await
        }
        Command::RotateKey => rotate_key().await,
        Command::Demo => demo::run().await,
        Command::ExportFec(args) => {
            let _telemetry =
                telemetry::init(config::log_format(&ProcessEnv).map_err(|e| e.to_string())?)?;
            export_fec::run(args).await
        }
        Command::Sandbox { listen } => sandbox(listen).await,
        Command::Datalayer { command } => datalayer::run(command).await,
        Command::Openapi => {
            let spec = crate::api::openapi().to_pretty_json().map_err(|e| e.to_string())?;
            println!("{spec}");
            Ok(())
        }
    }
}

async fn open_store() -> Result<Store, String> {
    let db = DatabaseSettings::from_env(&ProcessEnv).map_err(|e| e.to_string())?;
    Store::open(&db.url).await.map_err(|e| format!("DATABASE_URL: {e}: {}", source_of(&e)))
}

/// The innermost cause of an error, for one-line messages.
fn source_of(e: &dyn std::error::Error) -> String {
    let mut cause = e.source();
    let mut last = String::new();
    while let Some(c) = cause {
        last = c.to_string();
        cause = c.source();
    }
    last
}

async fn serve() -> CliResult {
    let settings = Settings::from_env(&ProcessEnv).map_err(|e| e.to_string())?;
    let _telemetry = telemetry::init(settings.log_format)?;
    let store = Store::open(&settings.database.url)
        .await
        .map_err(|e| format!("DATABASE_URL: {e}: {}", source_of(&e)))?;
    let app = App::build(&settings, store.clone()).await?;
    let addr = app.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, backend = ?store.backend(), "passerelle listening");
    tokio::spawn(idempotent::purge_every(app.state().clone(), Duration::from_secs(3600)));
    if let Some(engine) = datalayer_engine(app.state())? {
        tokio::spawn(engine.run());
    }
    let shutdown = app::drain_on_signal(app.state().draining.clone(), settings.shutdown_drain);
    app.serve(shutdown).await.map_err(|e| format!("server: {e}"))?;
    if !detach::finish_writes(settings.request_timeout).await {
        tracing::warn!("writes still running at exit: their replays will settle them");
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The data layer's sync engine of this process, unless `PASSERELLE_DATALAYER_SYNC=off`.
fn datalayer_engine(state: &crate::state::AppState) -> Result<Option<Engine>, String> {
    let settings = DatalayerSettings::from_env(&ProcessEnv).map_err(|e| e.to_string())?;
    if !settings.sync {
        return Ok(None);
    }
    Ok(Some(Engine {
        store: state.store.clone(),
        connectors: state.connectors.clone(),
        keyring: state.keyring.clone(),
        metrics: state.datalayer_metrics.clone(),
        cadence: Cadence {
            interval: settings.interval,
            lease: settings.lease,
            poll: Duration::from_millis(250),
            lettering: settings.lettering,
        },
        owner: format!("pid{}-{}", std::process::id(), uuid::Uuid::new_v4()),
    }))
}

async fn create_account(name: &str) -> CliResult {
    let jwt_secret = config::jwt_secret(&ProcessEnv).map_err(|e| e.to_string())?;
    let store = open_store().await?;
    let digests = SecretDigests::new(&jwt_secret);
    let issued = accounts::create(&store, &digests, name).await.map_err(|e| e.to_string())?;
    let out = json!({
        "accountId": issued.account_id,
        "clientId": issued.client_id,
        "clientSecret": issued.client_secret,
    });
    println!("{out}");
    Ok(())
}

async fn rotate_key() -> CliResult {
    let _telemetry = telemetry::init(config::log_format(&ProcessEnv).map_err(|e| e.to_string())?)?;
    let keyring = config::keyring(&ProcessEnv).map_err(|e| e.to_string())?;
    let store = open_store().await?;
    let rotated = store
        .connections()
        .reseal_all(&keyring)
        .await
        .map_err(|e| format!("rotation aborted, nothing changed: {e}: {}", source_of(&e)))?;
    println!("{}", json!({"rotated": rotated, "keyId": keyring.current_id()}));
    Ok(())
}

async fn sandbox(listen: SocketAddr) -> CliResult {
    let _telemetry = telemetry::init(config::log_format(&ProcessEnv).map_err(|e| e.to_string())?)?;
    let running = sandbox::Sandbox::start(listen, SandboxConfig::default())
        .await
        .map_err(|e| format!("sandbox on {listen}: {e}"))?;
    let out = json!({
        "baseUrl": running.base_url(),
        "partnerSecret": sandbox::PARTNER_SECRET,
        "tokens": {
            "firm": sandbox::tokens::FIRM,
            "societyPort": sandbox::tokens::SOCIETY_PORT,
            "societyGarage": sandbox::tokens::SOCIETY_GARAGE,
            "revoked": sandbox::tokens::REVOKED,
        },
    });
    println!("{out}");
    app::shutdown_signal().await;
    drop(running);
    Ok(())
}
