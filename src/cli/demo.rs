//! `passerelle demo`: the whole product on one machine with no set-up — embedded SQLite under the
//! data dir, the MyUnisoft sandbox on a free local port, the gateway on 127.0.0.1:8080, and an
//! account, a consumer and an active connection ready to call.

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
use crate::service::{accounts, connections, consumers};
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
}

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
        credentials: Some(vec![Credential {
            key: "api_token".into(),
            value: sandbox::tokens::FIRM.into(),
        }]),
    };
    connections::create(state, &tenant, consumer.id, request, None)
        .await
        .map_err(|e| e.to_string())?;
    demo.account_id = issued.account_id;
    demo.client_id = issued.client_id;
    demo.client_secret = issued.client_secret;
    demo.consumer_id = consumer.id;
    Ok(demo)
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
    let database = DatabaseSettings::from_env(&env).map_err(|e| e.to_string())?;
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
    };
    let seeded = existing.is_some();
    let demo = existing.unwrap_or(fresh);
    let settings = settings(listen, database, &demo, &sandbox)?;
    let app = App::build(&settings, store.clone()).await?;
    let demo = if seeded
        && store.accounts().find(demo.account_id).await.map_err(|e| e.to_string())?.is_some()
    {
        demo
    } else {
        let demo = provision(app.state(), demo).await?;
        save(&state_file, &demo)?;
        demo
    };
    print_welcome(listen, &sandbox, &demo);
    let shutdown = app::drain_on_signal(app.state().draining.clone(), settings.shutdown_drain);
    app.serve(shutdown).await.map_err(|e| format!("server: {e}"))?;
    store.close().await;
    Ok(())
}

fn print_welcome(listen: SocketAddr, sandbox: &Sandbox, d: &DemoState) {
    let base = format!("http://{listen}");
    let cid = d.consumer_id;
    println!(
        r#"Passerelle demo is running.

  gateway      {base}   (API docs: {base}/docs)
  sandbox      {sandbox}   (MyUnisoft simulator; the demo connection is a firm token reaching folders 4821, 4822 and 4823)

  accountId    {account}
  clientId     {client_id}
  clientSecret {client_secret}
  consumerId   {cid}

Try it:

  TOKEN=$(curl -s {base}/token -H 'content-type: application/json' \
    -d '{{"clientId":"{client_id}","clientSecret":"{client_secret}","accountId":"{account}"}}' | jq -r .access_token)
  curl -s -H "Authorization: Bearer $TOKEN" {base}/consumers/{cid}/accounting/folders
  curl -s -H "Authorization: Bearer $TOKEN" "{base}/consumers/{cid}/accounting/journals?folder_id=4821"
  curl -s -H "Authorization: Bearer $TOKEN" "{base}/consumers/{cid}/accounting/chart-of-accounts?folder_id=4821&classes=6"

With Chift's Python SDK (pip install chift==0.6.17):

  import chift
  chift.client_id, chift.client_secret = "{client_id}", "{client_secret}"
  chift.account_id, chift.url_base = "{account}", "{base}"
  acc = chift.Consumer.get("{cid}").accounting
  print(acc.Folder.all())
  print(acc.Journal.all(params={{"folder_id": "4821"}}))

Stop with Ctrl-C."#,
        sandbox = sandbox.base_url(),
        account = d.account_id,
        client_id = d.client_id,
        client_secret = d.client_secret,
    );
}
