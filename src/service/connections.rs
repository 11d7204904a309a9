//! Connections of a consumer: credentials checked against what the connector needs, sealed at
//! rest, and creation made idempotent by `x-chift-client-requestid`.

use uuid::Uuid;

use crate::auth::tenant::TenantContext;
use crate::domain::connection::{
    Connection, ConnectionFacts, ConnectionPatch, ConnectorKind, Credential, Credentials,
    NewConnection,
};
use crate::domain::write::Write;
use crate::domain::Invalid;
use crate::domain::Resource;
use crate::error::{AppError, Result};
use crate::service::consumers;
use crate::service::idempotent;
use crate::state::AppState;
use crate::store::{Connections, IdempotencyKey, TransactionRecord};
use crate::webhooks::events::{CONNECTION_CREATED, CONNECTION_DELETED, CONNECTION_UPDATED};
use crate::webhooks::{outbox, Event};

/// What a client asks for when it creates a connection.
#[derive(Debug)]
pub struct ConnectionRequest {
    pub integration_id: Option<i64>,
    pub name: Option<String>,
    pub credentials: Vec<Credential>,
}

/// The route template recorded for idempotent connection creation.
const ROUTE: &str = "/consumers/{consumer_id}/connections";

fn not_found(id: Uuid) -> AppError {
    AppError::NotFound { resource: Resource::Connection, id: id.to_string() }
}

/// The connector an `integrationid` names; MyUnisoft, the only one, when it is omitted.
pub fn connector(integration_id: Option<i64>) -> Result<ConnectorKind, Invalid> {
    match integration_id {
        None => Ok(ConnectorKind::MyUnisoft),
        Some(id) => ConnectorKind::from_integration_id(id).ok_or_else(|| {
            Invalid::body(
                "integrationid",
                format!("unknown integration {id}; see GET /integrations"),
            )
        }),
    }
}

/// Checks a credential list against the keys the connector needs: each required key present
/// once with a non-blank value, no unknown key.
pub fn credentials(kind: ConnectorKind, given: Vec<Credential>) -> Result<Credentials, Invalid> {
    let specs = kind.credentials();
    for (i, c) in given.iter().enumerate() {
        if !specs.iter().any(|s| s.key == c.key) {
            let known: Vec<_> = specs.iter().map(|s| s.key).collect();
            let rule = format!(
                "unknown key `{}` for {}; expected {}",
                c.key,
                kind.name(),
                known.join(", ")
            );
            return Err(Invalid::body(format!("credentials[{i}].key"), rule));
        }
        if c.value.trim().is_empty() {
            return Err(Invalid::body(format!("credentials[{i}].value"), "must not be empty"));
        }
        if given[..i].iter().any(|earlier| earlier.key == c.key) {
            return Err(Invalid::body(format!("credentials[{i}].key"), "given twice"));
        }
    }
    if let Some(missing) = specs.iter().find(|s| !given.iter().any(|c| c.key == s.key)) {
        return Err(Invalid::body("credentials", format!("`{}` is required", missing.key)));
    }
    Ok(Credentials(given))
}

pub async fn list(s: &AppState, t: &TenantContext, consumer: Uuid) -> Result<Vec<Connection>> {
    consumers::get(s, t, consumer).await?;
    Ok(s.store.connections().list(t.account_id, consumer).await?)
}

pub async fn get(s: &AppState, t: &TenantContext, consumer: Uuid, id: Uuid) -> Result<Connection> {
    consumers::get(s, t, consumer).await?;
    s.store.connections().find(t.account_id, consumer, id).await?.ok_or_else(|| not_found(id))
}

/// Checks new credentials with the software (MyUnisoft: `GET /key/info?mode=extended`, which
/// also activates a new key) and learns what they reach. A refusal stores nothing.
pub(crate) async fn activate(
    s: &AppState,
    kind: ConnectorKind,
    id: Uuid,
    credentials: &Credentials,
) -> Result<ConnectionFacts> {
    let activation = s
        .connectors
        .activation(kind)
        .ok_or(AppError::NotSupported { resource: "connections", connector: kind.name() })?;
    Ok(activation.activate(id, credentials).await?)
}

/// Creates an active connection once its credentials are checked upstream. With a client request
/// id, a replay of a done request answers 409 and the outcome can be looked up with
/// [`transaction`]; a replay of an uncertain one (or one whose process died) finishes it under
/// the connection id it was first given.
pub async fn create(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    request: ConnectionRequest,
    client_request_id: Option<String>,
) -> Result<Connection> {
    consumers::get(s, t, consumer).await?;
    let kind = connector(request.integration_id)?;
    let credentials = credentials(kind, request.credentials)?;
    let name = request.name.unwrap_or_else(|| kind.name().to_owned());
    let store = |id: Uuid| async move {
        let facts = activate(s, kind, id, &credentials).await?;
        let new = NewConnection { id, consumer_id: consumer, kind, name, credentials, facts };
        let event =
            Event::connection(CONNECTION_CREATED, consumer, id, "active", kind.integration_id());
        let inserted = async {
            let mut tx = s.store.begin().await?;
            Connections::insert_in(&mut tx, &s.keyring, t.account_id, &new).await?;
            outbox::commit_with(tx, t.account_id, &event).await?;
            s.store
                .connections()
                .find(t.account_id, consumer, id)
                .await?
                .ok_or_else(|| not_found(id))
        }
        .await;
        s.tenancy.forget(consumer);
        let created = inserted?;
        tracing::info!(connection.id = %created.id, consumer.id = %consumer, "connection created");
        Ok::<_, AppError>(created)
    };
    let Some(client_request_id) = client_request_id else { return store(Uuid::new_v4()).await };
    let key = IdempotencyKey { consumer_id: consumer, client_request_id };
    let id = Uuid::new_v4();
    let claim = idempotent::claim(s, key, ("POST", ROUTE), id, id).await?;
    let Write { id, resumed } = claim.write;
    let work = async {
        if resumed {
            if let Some(found) = s.store.connections().find(t.account_id, consumer, id).await? {
                return Ok(found);
            }
        }
        store(id).await
    };
    claim.run(s, |c: &Connection| Some(c.id.to_string()), work).await
}

pub async fn update(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    id: Uuid,
    name: Option<String>,
    given: Option<Vec<Credential>>,
) -> Result<Connection> {
    let current = get(s, t, consumer, id).await?;
    let given = given.map(|g| credentials(current.kind, g)).transpose()?;
    let credentials = match given {
        Some(c) => {
            let facts = activate(s, current.kind, id, &c).await?;
            Some((c, facts))
        }
        None => None,
    };
    let patch = ConnectionPatch { name, credentials };
    let event = Event::connection(
        CONNECTION_UPDATED,
        consumer,
        id,
        current.status.as_str(),
        current.kind.integration_id(),
    );
    let updated = async {
        let mut tx = s.store.begin().await?;
        Connections::update_in(&mut tx, &s.keyring, t.account_id, consumer, id, &patch).await?;
        outbox::commit_with(tx, t.account_id, &event).await?;
        s.store.connections().find(t.account_id, consumer, id).await?.ok_or_else(|| not_found(id))
    }
    .await;
    s.tenancy.forget(consumer);
    updated
}

pub async fn delete(s: &AppState, t: &TenantContext, consumer: Uuid, id: Uuid) -> Result<()> {
    let current = get(s, t, consumer, id).await?;
    if s.store.datalayer().get(id).await?.is_some() {
        crate::service::datalayer::disable(s, t, consumer, id).await?;
    }
    let event = Event::connection(
        CONNECTION_DELETED,
        consumer,
        id,
        current.status.as_str(),
        current.kind.integration_id(),
    );
    let deleted = async {
        let mut tx = s.store.begin().await?;
        let deleted = Connections::delete_in(&mut tx, id).await?;
        outbox::commit_with(tx, t.account_id, &event).await?;
        Ok::<_, AppError>(deleted)
    }
    .await;
    s.tenancy.forget(consumer);
    if !deleted? {
        return Err(not_found(id));
    }
    tracing::info!(connection.id = %id, "connection deleted");
    Ok(())
}

/// The recorded outcome of a request sent with `x-chift-client-requestid`.
pub async fn transaction(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    connection: Uuid,
    client_request_id: String,
) -> Result<TransactionRecord> {
    consumers::get(s, t, consumer).await?;
    let key = IdempotencyKey { consumer_id: consumer, client_request_id };
    let record = s.store.idempotency().find(&key, connection).await?;
    record.ok_or(AppError::NotFound { resource: Resource::Transaction, id: key.client_request_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(key: &str, value: &str) -> Credential {
        Credential { key: key.into(), value: value.into() }
    }

    #[test]
    fn myunisoft_needs_exactly_an_api_token() {
        let kind = ConnectorKind::MyUnisoft;
        assert!(credentials(kind, vec![cred("api_token", "t")]).is_ok());
        assert_eq!(credentials(kind, vec![]).unwrap_err().field, "credentials");
        let unknown = credentials(kind, vec![cred("api_token", "t"), cred("password", "p")]);
        assert_eq!(unknown.unwrap_err().field, "credentials[1].key");
        assert_eq!(
            credentials(kind, vec![cred("api_token", " ")]).unwrap_err().field,
            "credentials[0].value"
        );
        let twice = credentials(kind, vec![cred("api_token", "a"), cred("api_token", "b")]);
        assert_eq!(twice.unwrap_err().rule, "given twice");
    }

    #[test]
    fn the_integration_defaults_to_myunisoft_and_unknown_ids_are_named() {
        assert_eq!(connector(None).unwrap(), ConnectorKind::MyUnisoft);
        assert_eq!(connector(Some(1)).unwrap(), ConnectorKind::MyUnisoft);
        assert_eq!(connector(Some(42)).unwrap_err().field, "integrationid");
    }
}
