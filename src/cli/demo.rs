//! `passerelle demo`: the whole product on one machine with no set-up — embedded SQLite under the
//! data dir, the MyUnisoft sandbox on a free local port, the gateway on 127.0.0.1:8080, and an
//! account, a consumer and an active connection ready to call; a second consumer with a fresh
//! activation link to try the connect page; and the ready `export-fec` command.
//!
//! The sandbox lives in memory: every run starts it afresh from its seed. What the gateway recorded
//! about writes to the previous run's sandbox (the outcomes of `x-chift-client-requestid`) is
//! forgotten at start, so nothing points at records that no longer exist.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use myunisoft_sandbox::{self as sandbox, Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::{self, App};
use crate::auth::tenant::TenantContext;
use crate::config::{self, DatabaseSettings, Env, MyUnisoftSettings, ProcessEnv, Settings};
use crate::crypto::{Keyring, MasterKey};
use crate::domain::connection::Credential;
use crate::domain::consumer::NewConsumer;
use crate::service::{accounts, connect, connections, consumers};
use crate::state::AppState;
use crate::store::Store;
use crate::telemetry;

/// What the demo keeps between runs, in `<data dir>/demo.json` (readable by its owner only).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoState {
    master_key: String,
    jwt_secret: String,
    account_id: Uuid,
    client_id: String,
    client_secret: String,
    consumer_id: Uuid,
    /// The second consumer, connected through the connect page.
    #[serde(default)]
    link_consumer_id: Option<Uuid>,
    /// This run's activation link for it (single use, 30 minutes).
    #[serde(default)]
    activation_link: Option<String>,
    /// What `passerelle export-fec` needs while this run lasts (the sandbox's port changes).
    #[serde(default)]
    export_fec: Option<ExportFecHint>,
}

/// The environment `passerelle export-fec` reads, and a command ready to paste.
#[derive(Serialize, Deserialize)]
struct ExportFecHint {
    env: BTreeMap<String, String>,
    command: String,
}

/// The year of the sandbox's seeded books, and the folder of the demo's firm token to export.
const FEC_YEAR: i32 = 2025;
const FEC_FOLDER: i64 = 4821;

fn random_base64(bytes: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    STANDARD.encode(buf)
}

fn load(path: &Path) -> Option<DemoState> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn save(path: &Path, state: &DemoState) -> Result<(), String> {
    let text = serde_json::to_vec_pretty(state).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn settings(
    listen: SocketAddr,
    database: DatabaseSettings,
    state: &DemoState,
    sandbox: &Sandbox,
) -> Result<Settings, String> {
    Ok(Settings {
        listen,
        public_url: format!("http://{listen}"),
        database,
        keyring: Keyring::new(MasterKey::from_base64(&state.master_key)?, vec![]),
        jwt_secret: SecretString::from(state.jwt_secret.clone()),
        request_timeout: Duration::from_secs(30),
        header_timeout: Duration::from_secs(10),
        // Ctrl-C on a laptop: nothing routes here to drain.
        shutdown_drain: Duration::ZERO,
        write_lease: Duration::from_secs(30),
        log_format: config::log_format(&ProcessEnv).map_err(|e| e.to_string())?,
        myunisoft: MyUnisoftSettings {
            base_url: sandbox.base_url(),
            partner_secret: SecretString::from(sandbox::PARTNER_SECRET.to_owned()),
            rate_calls: 20,
            rate_window: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: config::MAX_BODY_BYTES,
            queue_per_token: config::QUEUE_PER_TOKEN,
            download_hosts: vec![],
        },
        datalayer: config::DatalayerSettings::default(),
        limits: config::TenantLimits::default(),
        webhooks: crate::webhooks::WebhookSettings::default(),
    })
}

/// A new account and a consumer with a firm-token connection to the sandbox.
async fn provision(state: &AppState, mut demo: DemoState) -> Result<DemoState, String> {
    let issued = accounts::create(&state.store, &state.secrets, "Passerelle demo")
        .await
        .map_err(|e| e.to_string())?;
    let tenant = TenantContext { account_id: issued.account_id };
    let consumer = NewConsumer {
        name: "Cabinet Demo".into(),
        email: Some("demo@passerelle.invalid".into()),
        internal_reference: Some("demo".into()),
        redirect_url: None,
    };
    let consumer = consumers::create(state, &tenant, &consumer).await.map_err(|e| e.to_string())?;
    let request = connections::ConnectionRequest {
        integration_id: None,
        name: Some("MyUnisoft sandbox".into()),
        credentials: vec![Credential {
            key: "api_token".into(),
            value: sandbox::tokens::FIRM.into(),
        }],
    };
    connections::create(state, &tenant, consumer.id, request, None)
        .await
        .map_err(|e| e.to_string())?;
    demo.account_id = issued.account_id;
    demo.client_id = issued.client_id;
    demo.client_secret = issued.client_secret;
    demo.consumer_id = consumer.id;
    demo.link_consumer_id = None;
    Ok(demo)
}

/// A fresh activation link for the second consumer (created if needed): a link creating its
/// connection, or re-keying the one a previous run's visit created.
async fn activation_link(state: &AppState, demo: &mut DemoState) -> Result<String, String> {
    let tenant = TenantContext { account_id: demo.account_id };
    let known = match demo.link_consumer_id {
        Some(id) => {
            state.store.consumers().find(demo.account_id, id).await.map_err(|e| e.to_string())?
        }
        None => None,
    };
    let consumer = match known {
        Some(consumer) => consumer,
        None => {
            let new = NewConsumer {
                name: "Cabinet Lien".into(),
                email: None,
                internal_reference: Some("demo-connect-page".into()),
                redirect_url: None,
            };
            consumers::create(state, &tenant, &new).await.map_err(|e| e.to_string())?
        }
    };
    demo.link_consumer_id = Some(consumer.id);
    let existing =
        connections::list(state, &tenant, consumer.id).await.map_err(|e| e.to_string())?;
    let link = match existing.first() {
        Some(c) => connect::link_for_existing(state, &tenant, consumer.id, c.id, None).await,
        None => connect::link_for_new(state, &tenant, consumer.id, None, None).await,
    };
    link.map_err(|e| e.to_string())
}

/// What `passerelle export-fec` needs to export the demo consumer's folder while the demo runs.
fn export_fec_hint(demo: &DemoState, database_url: &str, sandbox: &Sandbox) -> ExportFecHint {
    let env: BTreeMap<String, String> = [
        ("DATABASE_URL", database_url.to_owned()),
        ("PASSERELLE_MASTER_KEY", demo.master_key.clone()),
        ("PASSERELLE_JWT_SECRET", demo.jwt_secret.clone()),
        ("MYUNISOFT_BASE_URL", sandbox.base_url()),
        ("MYUNISOFT_THIRD_PARTY_SECRET", sandbox::PARTNER_SECRET.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let binary = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "passerelle".into());
    let assignments: Vec<String> = env.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
    let command = format!(
        "{} {binary} export-fec --consumer {} --folder {FEC_FOLDER} --year {FEC_YEAR} -o .",
        assignments.join(" "),
        demo.consumer_id
    );
    ExportFecHint { env, command }
}

pub async fn run() -> Result<(), String> {
    let env = ProcessEnv;
    let data = config::data_dir(&env);
    std::fs::create_dir_all(&data)
        .map_err(|e| format!("PASSERELLE_DATA_DIR: {}: {e}", data.display()))?;
    let _telemetry = telemetry::init(config::log_format(&env).map_err(|e| e.to_string())?)?;
    let listen: SocketAddr = env
        .var("PASSERELLE_LISTEN")
        .unwrap_or_else(|| "127.0.0.1:8080".into())
        .parse()
        .map_err(|_| "PASSERELLE_LISTEN: must be HOST:PORT")?;
    let sandbox =
        Sandbox::start("127.0.0.1:0".parse().map_err(|_| "loopback")?, SandboxConfig::default())
            .await
            .map_err(|e| format!("sandbox: {e}"))?;
    let data = data.canonicalize().map_err(|e| format!("PASSERELLE_DATA_DIR: {e}"))?;
    let database = match env.var("DATABASE_URL") {
        Some(_) => DatabaseSettings::from_env(&env).map_err(|e| e.to_string())?,
        // An absolute path, so that the printed export-fec command works from anywhere.
        None => DatabaseSettings {
            url: format!("sqlite://{}?mode=rwc", data.join("passerelle.db").display()),
        },
    };
    let store = Store::open(&database.url).await.map_err(|e| format!("DATABASE_URL: {e}"))?;
    let state_file = data.join("demo.json");
    let existing = load(&state_file);
    let fresh = DemoState {
        master_key: random_base64(32),
        jwt_secret: random_base64(48),
        account_id: Uuid::nil(),
        client_id: String::new(),
        client_secret: String::new(),
        consumer_id: Uuid::nil(),
        link_consumer_id: None,
        activation_link: None,
        export_fec: None,
    };
    let seeded = existing.is_some();
    let demo = existing.unwrap_or(fresh);
    let database_url = database.url.clone();
    let settings = settings(listen, database, &demo, &sandbox)?;
    let app = App::build(&settings, store.clone()).await?;
    let known = seeded
        && store.accounts().find(demo.account_id).await.map_err(|e| e.to_string())?.is_some();
    let mut demo = if known {
        // The sandbox starts afresh: forget the outcomes of writes sent to the previous one.
        store.idempotency().forget_account(demo.account_id).await.map_err(|e| e.to_string())?;
        demo
    } else {
        provision(app.state(), demo).await?
    };
    let link = activation_link(app.state(), &mut demo).await?;
    demo.activation_link = Some(link);
    demo.export_fec = Some(export_fec_hint(&demo, &database_url, &sandbox));
    save(&state_file, &demo)?;
    print_welcome(listen, &sandbox, &demo, &state_file, known);
    let shutdown = app::drain_on_signal(app.state().draining.clone(), settings.shutdown_drain);
    app.serve(shutdown).await.map_err(|e| format!("server: {e}"))?;
    store.close().await;
    Ok(())
}

fn print_welcome(
    listen: SocketAddr,
    sandbox: &Sandbox,
    d: &DemoState,
    state_file: &Path,
    restarted: bool,
) {
    let base = format!("http://{listen}");
    let cid = d.consumer_id;
    let link = d.activation_link.as_deref().unwrap_or_default();
    let fec = d.export_fec.as_ref().map(|h| h.command.as_str()).unwrap_or_default();
    let afresh = if restarted {
        "The sandbox started afresh (its data lives in memory): the seeded books are back, what you \
wrote in the last run is gone,\nand the gateway forgot the outcomes it had recorded for those writes. \
Your account, consumers and connections are kept."
    } else {
        "First run: account, consumers and connection created. The sandbox's data lives in memory and \
starts afresh at every run."
    };
    println!(
        r#"Passerelle demo is running. {afresh}

  gateway      {base}   (API docs: {base}/docs)
  sandbox      {sandbox}   (MyUnisoft simulator; the demo connection is a firm token reaching folders 4821, 4822 and 4823)

  accountId    {account}
  clientId     {client_id}
  clientSecret {client_secret}
  consumerId   {cid}
  (all kept in {state})

Try it (needs curl and jq):

  TOKEN=$(curl -s {base}/token -H 'content-type: application/json' \
    -d '{{"clientId":"{client_id}","clientSecret":"{client_secret}","accountId":"{account}"}}' | jq -r .access_token)
  curl -s -H "Authorization: Bearer $TOKEN" {base}/consumers/{cid}/accounting/folders
  curl -s -H "Authorization: Bearer $TOKEN" "{base}/consumers/{cid}/accounting/journals?folder_id=4821"
  curl -s -H "Authorization: Bearer $TOKEN" "{base}/consumers/{cid}/accounting/chart-of-accounts?folder_id=4821&classes=6"
  curl -s -H "Authorization: Bearer $TOKEN" -H 'Accept: text/plain' \
    "{base}/consumers/{cid}/accounting/export-fec?folder_id=4821&date_from=2025-01-01&date_to=2025-12-31"

With Chift's Python SDK (pip install chift==0.6.17; it has no FEC call: use the curl above):

  import chift
  chift.client_id, chift.client_secret = "{client_id}", "{client_secret}"
  chift.account_id, chift.url_base = "{account}", "{base}"
  acc = chift.Consumer.get("{cid}").accounting
  print(acc.Folder.all())
  print(acc.Journal.all(params={{"folder_id": "4821"}}))

The connect page, as your customer sees it (single use, valid 30 minutes; a new link at every start):

  {link}

  Paste this sandbox firm key there, then choose folders:
  {firm}
  (a refused key to try first: {revoked})

The legal FEC file of folder 4821 with the operators' command, while the demo runs (also in {state}):

  {fec}

Stop with Ctrl-C."#,
        sandbox = sandbox.base_url(),
        account = d.account_id,
        client_id = d.client_id,
        client_secret = d.client_secret,
        state = state_file.display(),
        firm = sandbox::tokens::FIRM,
        revoked = sandbox::tokens::REVOKED,
    );
}
