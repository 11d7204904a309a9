//! The connect flow. An API client asks for an activation link (a connection created or re-keyed
//! without credentials); its customer opens it on the hosted page, gives their own key, which is
//! checked upstream, then for a firm key chooses the folders to share; the connection is stored
//! when they are done, and the link is spent.

use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::auth::connect_link::link_hash;
use crate::auth::tenant::TenantContext;
use crate::connectors::TenantConnection;
use crate::domain::accounting::Folder;
use crate::domain::connect_link::{ConnectLink, LinkPurpose};
use crate::domain::connection::{Connection, ConnectionFacts, ConnectorKind, Credential};
use crate::domain::consumer::Consumer;
use crate::error::{AppError, Result};
use crate::service::accounting::unsupported;
use crate::service::connections;
use crate::service::consumers;
use crate::state::AppState;
use crate::store::{ConnectLinks, StoreError};
use crate::webhooks::events::{CONNECTION_CREATED, CONNECTION_UPDATED};
use crate::webhooks::{outbox, Event};

/// How long an activation link works.
pub const LINK_LIFETIME: Duration = Duration::minutes(30);

/// Where the customer is sent: `{public_url}/connect/{token}`.
fn url(s: &AppState, token: &str) -> String {
    format!("{}/connect/{token}", s.public_url)
}

async fn issue(s: &AppState, link: NewLinkParts) -> Result<String> {
    let token = s.connect_keys.new_link_token();
    let new = ConnectLink {
        hash: link_hash(&token),
        consumer_id: link.consumer,
        connection_id: link.connection,
        purpose: link.purpose,
        kind: link.kind,
        name: link.name,
        expires_at: Utc::now() + LINK_LIFETIME,
        used_at: None,
        key_attempts: 0,
    };
    s.store.connect_links().insert(&new).await?;
    tracing::info!(consumer.id = %new.consumer_id, connection.id = %new.connection_id,
        purpose = new.purpose.as_str(), "activation link issued");
    Ok(url(s, &token))
}

struct NewLinkParts {
    consumer: Uuid,
    connection: Uuid,
    purpose: LinkPurpose,
    kind: ConnectorKind,
    name: String,
}

/// A link that creates a connection of the consumer once its customer gave a key.
pub async fn link_for_new(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    integration_id: Option<i64>,
    name: Option<String>,
) -> Result<String> {
    consumers::get(s, t, consumer).await?;
    let kind = connections::connector(integration_id)?;
    let name = name.unwrap_or_else(|| kind.name().to_owned());
    let parts = NewLinkParts {
        consumer,
        connection: Uuid::new_v4(),
        purpose: LinkPurpose::Create,
        kind,
        name,
    };
    issue(s, parts).await
}

/// A link that gives the consumer's connection `id` a new key and folder choice, keeping its id,
/// data and history; `name`, if given, renames it at once. The link replaces any earlier one of
/// the connection not used yet.
pub async fn link_for_existing(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    id: Uuid,
    name: Option<String>,
) -> Result<String> {
    // A new name applies at once, and is announced like any other change of the connection.
    let current = match name {
        Some(name) => connections::update(s, t, consumer, id, Some(name), None).await?,
        None => connections::get(s, t, consumer, id).await?,
    };
    let parts = NewLinkParts {
        consumer,
        connection: id,
        purpose: LinkPurpose::Update,
        kind: current.kind,
        name: current.name,
    };
    issue(s, parts).await
}

/// A link as the page sees it, with who it is for.
#[derive(Debug, Clone)]
pub struct Opened {
    pub link: ConnectLink,
    pub consumer: Consumer,
    /// The API account asking for access (the product the customer uses).
    pub account: TenantContext,
    pub account_name: String,
}

#[derive(Debug)]
pub enum Lookup {
    /// No such link (never issued, mistyped, or forgotten a day after it expired).
    Unknown,
    /// Used or expired.
    Spent(Box<Opened>),
    Open(Box<Opened>),
}

/// The link `token` opens. A token this gateway did not sign is refused without a lookup.
pub async fn open(s: &AppState, token: &str) -> Result<Lookup> {
    if !s.connect_keys.issued(token) {
        return Ok(Lookup::Unknown);
    }
    let Some(link) = s.store.connect_links().find(&link_hash(token)).await? else {
        return Ok(Lookup::Unknown);
    };
    let Some(account_id) = s.store.consumers().account_of(link.consumer_id).await? else {
        return Ok(Lookup::Unknown);
    };
    let Some(consumer) = s.store.consumers().find(account_id, link.consumer_id).await? else {
        return Ok(Lookup::Unknown);
    };
    let account_name = s.store.accounts().find(account_id).await?.map(|a| a.name);
    let Some(account_name) = account_name else { return Ok(Lookup::Unknown) };
    let open = link.is_open(Utc::now());
    let opened =
        Box::new(Opened { link, consumer, account: TenantContext { account_id }, account_name });
    Ok(if open { Lookup::Open(opened) } else { Lookup::Spent(opened) })
}

/// Where the page goes next.
#[derive(Debug)]
pub enum Step {
    /// The connection is stored and active.
    Connected(Connection),
    /// A firm key was checked and is held: the customer picks among these folders.
    ChooseFolders(Vec<Folder>),
    /// The link was used or expired meanwhile (or its connection deleted): nothing was stored.
    Spent,
}

/// Checks the customer's key upstream (as `POST …/connections` does: MyUnisoft's
/// `GET /key/info`). A society key completes the link; a firm key is held, sealed, while the
/// customer chooses folders. A refused key is an error and stores nothing.
pub async fn submit_key(s: &AppState, opened: &Opened, api_token: String) -> Result<Step> {
    let link = &opened.link;
    if !s.store.connect_links().count_attempt(&link.hash).await? {
        return Ok(Step::Spent);
    }
    let given = vec![Credential { key: "api_token".into(), value: api_token }];
    let credentials = connections::credentials(link.kind, given)?;
    let facts = connections::activate(s, link.kind, link.connection_id, &credentials).await?;
    if !matches!(facts, ConnectionFacts::Firm { .. }) {
        return complete(s, opened, credentials, facts).await;
    }
    let held = s.store.connect_links().hold(&s.keyring, &link.hash, &credentials, &facts).await?;
    if !held {
        return Ok(Step::Spent);
    }
    let folders = folders(s, link, &credentials, facts).await?;
    Ok(Step::ChooseFolders(folders))
}

/// The folders of the firm key held for the link, `None` when no key is held.
pub async fn held_folders(s: &AppState, opened: &Opened) -> Result<Option<Vec<Folder>>> {
    let link = &opened.link;
    let Some((credentials, facts)) = s.store.connect_links().held(&s.keyring, &link.hash).await?
    else {
        return Ok(None);
    };
    Ok(Some(folders(s, link, &credentials, facts).await?))
}

async fn folders(
    s: &AppState,
    link: &ConnectLink,
    credentials: &crate::domain::connection::Credentials,
    facts: ConnectionFacts,
) -> Result<Vec<Folder>> {
    let connection = TenantConnection::new(link.connection_id, link.kind, credentials, facts)?;
    let folders =
        s.connectors.folders(link.kind).ok_or_else(|| unsupported("folders", link.kind))?;
    Ok(folders.folders(&connection).await?)
}

/// What the folder choice came to.
#[derive(Debug)]
pub enum Choice {
    Done(Step),
    /// No key is held for the link (it was never checked, or the link was opened afresh).
    NoKeyHeld,
    /// None of the reachable folders was chosen: the customer picks again among these.
    NothingChosen(Vec<Folder>),
}

/// Completes the link with the held firm key and the chosen folders (ids the key does not reach
/// are ignored).
pub async fn choose_folders(s: &AppState, opened: &Opened, chosen: &[i64]) -> Result<Choice> {
    let link = &opened.link;
    let held = s.store.connect_links().held(&s.keyring, &link.hash).await?;
    let Some((credentials, ConnectionFacts::Firm { schema_id, folders: reachable, .. })) = held
    else {
        return Ok(Choice::NoKeyHeld);
    };
    let selected: Vec<i64> = reachable.iter().copied().filter(|f| chosen.contains(f)).collect();
    if selected.is_empty() {
        let facts = ConnectionFacts::Firm { schema_id, folders: reachable, selected: None };
        return Ok(Choice::NothingChosen(folders(s, link, &credentials, facts).await?));
    }
    let facts = ConnectionFacts::Firm { schema_id, folders: reachable, selected: Some(selected) };
    Ok(Choice::Done(complete(s, opened, credentials, facts).await?))
}

async fn complete(
    s: &AppState,
    opened: &Opened,
    credentials: crate::domain::connection::Credentials,
    facts: ConnectionFacts,
) -> Result<Step> {
    let link = &opened.link;
    let account = opened.account.account_id;
    let done = async {
        let mut tx = s.store.begin().await?;
        let stored =
            ConnectLinks::complete_in(&mut tx, &s.keyring, account, link, credentials, facts)
                .await?;
        if !stored {
            return Ok::<_, AppError>(None);
        }
        let name = match link.purpose {
            LinkPurpose::Create => CONNECTION_CREATED,
            LinkPurpose::Update => CONNECTION_UPDATED,
        };
        let (consumer, id) = (link.consumer_id, link.connection_id);
        let event = Event::connection(name, consumer, id, "active", link.kind.integration_id());
        outbox::commit_with(tx, account, &event).await?;
        let stored = s.store.connections().find(account, consumer, id).await?;
        Ok(Some(stored.ok_or_else(|| {
            StoreError::Corrupt("connection vanished right after its activation".into())
        })?))
    }
    .await;
    s.tenancy.forget(link.consumer_id);
    Ok(match done? {
        Some(connection) => {
            tracing::info!(connection.id = %connection.id, consumer.id = %link.consumer_id,
                purpose = link.purpose.as_str(), "connection activated through its link");
            Step::Connected(connection)
        }
        None => Step::Spent,
    })
}
