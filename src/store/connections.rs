//! Connections and their credentials, sealed with the master keyring. List queries never select
//! the ciphertext; only [`Connections::credentials`] opens it.
//!
//! Credentials are bound (as AES-GCM associated data) to their account, consumer and connection:
//! a ciphertext copied onto another row, consumer or account does not open. Rows sealed before
//! that binding existed name the connection only (`aad_version` 1); they still open, and are
//! re-sealed with the full binding the first time they are read (and by `passerelle rotate-key`).

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool};
use uuid::Uuid;

use super::{column, now_micros, timestamp, uuid, StoreError};
use crate::crypto::{Keyring, Sealed};
use crate::domain::connection::{
    Connection, ConnectionFacts, ConnectionPatch, ConnectionStatus, ConnectorKind, Credentials,
    NewConnection,
};

pub struct Connections<'p> {
    pool: &'p AnyPool,
}

/// The connection's columns, qualified, for queries joined with its consumer.
const COLUMNS: &str =
    "c.id, c.consumer_id, c.integration_id, c.name, c.status, c.data, c.created_at, c.updated_at";
/// Restricts `c` to one consumer of one account.
const OWNED: &str = "JOIN consumers k ON k.id = c.consumer_id WHERE k.account_id = $1 \
                     AND c.consumer_id = $2";

impl<'p> Connections<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    pub async fn insert(
        &self,
        keyring: &Keyring,
        account: Uuid,
        new: &NewConnection,
    ) -> Result<Connection, StoreError> {
        let mut tx = self.pool.begin().await?;
        Self::insert_in(&mut tx, keyring, account, new).await?;
        tx.commit().await?;
        self.find(account, new.consumer_id, new.id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("connection vanished right after its insert".into()))
    }

    /// Inserts an active connection with its credentials sealed, on the caller's transaction
    /// (which may announce the change with it).
    pub async fn insert_in(
        tx: &mut AnyConnection,
        keyring: &Keyring,
        account: Uuid,
        new: &NewConnection,
    ) -> Result<(), StoreError> {
        let owner = Owner { account, consumer: new.consumer_id, connection: new.id };
        let sealed = seal(keyring, owner, &new.credentials)?;
        let now = now_micros();
        sqlx::query(
            "INSERT INTO connections (id, consumer_id, integration_id, name, status, key_id, \
             nonce, credentials, data, created_at, updated_at, aad_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
        )
        .bind(new.id.to_string())
        .bind(new.consumer_id.to_string())
        .bind(new.kind.integration_id())
        .bind(&new.name)
        .bind(ConnectionStatus::Active.as_str())
        .bind(sealed.key_id)
        .bind(sealed.nonce)
        .bind(sealed.ciphertext)
        .bind(facts_json(&new.facts)?)
        .bind(now)
        .bind(AAD_OWNER)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    pub async fn list(&self, account: Uuid, consumer: Uuid) -> Result<Vec<Connection>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM connections c {OWNED} ORDER BY c.created_at, c.id");
        let rows = sqlx::query(&sql)
            .bind(account.to_string())
            .bind(consumer.to_string())
            .fetch_all(self.pool)
            .await?;
        rows.iter().map(connection).collect()
    }

    pub async fn find(
        &self,
        account: Uuid,
        consumer: Uuid,
        id: Uuid,
    ) -> Result<Option<Connection>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM connections c {OWNED} AND c.id = $3");
        let row = sqlx::query(&sql)
            .bind(account.to_string())
            .bind(consumer.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool)
            .await?;
        row.map(|r| connection(&r)).transpose()
    }

    /// Renames and/or re-seals new credentials on the caller's transaction, for a connection known
    /// to be the account's.
    pub async fn update_in(
        tx: &mut AnyConnection,
        keyring: &Keyring,
        account: Uuid,
        consumer: Uuid,
        id: Uuid,
        patch: &ConnectionPatch,
    ) -> Result<(), StoreError> {
        let owner = Owner { account, consumer, connection: id };
        let sealed =
            patch.credentials.as_ref().map(|(c, _)| seal(keyring, owner, c)).transpose()?;
        let (key_id, nonce, ciphertext, aad_version) = match sealed {
            Some(s) => (Some(s.key_id), Some(s.nonce), Some(s.ciphertext), Some(AAD_OWNER)),
            None => (None, None, None, None),
        };
        let facts = patch.credentials.as_ref().map(|(_, f)| facts_json(f)).transpose()?;
        sqlx::query(
            "UPDATE connections SET name = COALESCE($2, name), key_id = COALESCE($3, key_id), \
             nonce = COALESCE($4, nonce), credentials = COALESCE($5, credentials), \
             data = COALESCE($6, data), updated_at = $7, \
             aad_version = COALESCE($8, aad_version) WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(&patch.name)
        .bind(key_id)
        .bind(nonce)
        .bind(ciphertext)
        .bind(facts)
        .bind(now_micros())
        .bind(aad_version)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// Deletes a connection on the caller's transaction, for a connection known to be the account's.
    pub async fn delete_in(tx: &mut AnyConnection, id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM connections WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Opens a connection's credentials, re-sealing them with the full binding if they were
    /// sealed before it.
    pub async fn credentials(
        &self,
        keyring: &Keyring,
        account: Uuid,
        consumer: Uuid,
        id: Uuid,
    ) -> Result<Option<Credentials>, StoreError> {
        let sql = "SELECT c.id, c.key_id, c.nonce, c.credentials, c.aad_version \
                   FROM connections c JOIN consumers k ON k.id = c.consumer_id \
                   WHERE k.account_id = $1 AND c.consumer_id = $2 AND c.id = $3";
        let row = sqlx::query(sql)
            .bind(account.to_string())
            .bind(consumer.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let owner = Owner { account, consumer, connection: id };
        let credentials = open(keyring, owner, &row)?;
        if column::<i64>(&row, "aad_version")? != AAD_OWNER {
            // Only if the row is still the one read: a concurrent PATCH wins.
            let nonce: Vec<u8> = column(&row, "nonce")?;
            reseal(self.pool, keyring, owner, &credentials, Some(&nonce)).await?;
        }
        Ok(Some(credentials))
    }

    /// Re-seals every connection's credentials under the keyring's current key and the full
    /// binding, in one transaction: either every row is rotated or none is. Returns how many rows
    /// changed.
    pub async fn reseal_all(&self, keyring: &Keyring) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT c.id, c.consumer_id, k.account_id, c.key_id, c.nonce, c.credentials, \
             c.aad_version FROM connections c JOIN consumers k ON k.id = c.consumer_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut rotated = 0;
        for row in &rows {
            if column::<String>(row, "key_id")? == keyring.current_id()
                && column::<i64>(row, "aad_version")? == AAD_OWNER
            {
                continue;
            }
            let owner = Owner {
                account: uuid(&column::<String>(row, "account_id")?)?,
                consumer: uuid(&column::<String>(row, "consumer_id")?)?,
                connection: uuid(&column::<String>(row, "id")?)?,
            };
            reseal(&mut *tx, keyring, owner, &open(keyring, owner, row)?, None).await?;
            rotated += 1;
        }
        tx.commit().await?;
        Ok(rotated)
    }
}

/// Gives the consumer's connection `id` new credentials and what their activation learned, and
/// makes it active; `false` when there is no such connection.
pub(super) async fn rekey_row<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    keyring: &Keyring,
    account: Uuid,
    consumer: Uuid,
    id: Uuid,
    credentials: &Credentials,
    facts: &ConnectionFacts,
) -> Result<bool, StoreError> {
    let sealed = seal(keyring, Owner { account, consumer, connection: id }, credentials)?;
    let done = sqlx::query(
        "UPDATE connections SET key_id = $3, nonce = $4, credentials = $5, data = $6, \
         status = $7, updated_at = $8, aad_version = $9 WHERE id = $1 AND consumer_id = $2",
    )
    .bind(id.to_string())
    .bind(consumer.to_string())
    .bind(sealed.key_id)
    .bind(sealed.nonce)
    .bind(sealed.ciphertext)
    .bind(facts_json(facts)?)
    .bind(ConnectionStatus::Active.as_str())
    .bind(now_micros())
    .bind(AAD_OWNER)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// `aad_version` of credentials bound to their connection id only (sealed before the full binding).
const AAD_CONNECTION: i64 = 1;
/// `aad_version` of credentials bound to their account, consumer and connection.
const AAD_OWNER: i64 = 2;

/// Where a connection belongs: what its sealed credentials are bound to.
#[derive(Debug, Clone, Copy)]
struct Owner {
    account: Uuid,
    consumer: Uuid,
    connection: Uuid,
}

impl Owner {
    fn aad(&self, version: i64) -> Result<String, StoreError> {
        match version {
            AAD_OWNER => Ok(format!("{}/{}/{}", self.account, self.consumer, self.connection)),
            AAD_CONNECTION => Ok(self.connection.to_string()),
            other => Err(StoreError::Corrupt(format!(
                "connection {} has unknown aad_version {other}",
                self.connection
            ))),
        }
    }
}

fn seal(keyring: &Keyring, owner: Owner, credentials: &Credentials) -> Result<Sealed, StoreError> {
    let plaintext = serde_json::to_vec(credentials)
        .map_err(|e| StoreError::Corrupt(format!("credentials do not serialize: {e}")))?;
    Ok(keyring.seal(&owner.aad(AAD_OWNER)?, &plaintext)?)
}

/// Writes `credentials` sealed under the current key with the full binding; with `if_nonce`, only
/// if the row still holds the ciphertext of that nonce.
async fn reseal<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    keyring: &Keyring,
    owner: Owner,
    credentials: &Credentials,
    if_nonce: Option<&[u8]>,
) -> Result<(), StoreError> {
    let sealed = seal(keyring, owner, credentials)?;
    sqlx::query(
        "UPDATE connections SET key_id = $2, nonce = $3, credentials = $4, aad_version = $5 \
         WHERE id = $1 AND ($6 IS NULL OR nonce = $6)",
    )
    .bind(owner.connection.to_string())
    .bind(sealed.key_id)
    .bind(sealed.nonce)
    .bind(sealed.ciphertext)
    .bind(AAD_OWNER)
    .bind(if_nonce.map(<[u8]>::to_vec))
    .execute(db)
    .await?;
    Ok(())
}

fn open(keyring: &Keyring, owner: Owner, row: &AnyRow) -> Result<Credentials, StoreError> {
    let sealed = Sealed {
        key_id: column(row, "key_id")?,
        nonce: column(row, "nonce")?,
        ciphertext: column(row, "credentials")?,
    };
    let plaintext = keyring.open(&owner.aad(column(row, "aad_version")?)?, &sealed)?;
    serde_json::from_slice(&plaintext).map_err(|_| {
        StoreError::Corrupt(format!("credentials of connection {} are not JSON", owner.connection))
    })
}

pub(super) fn facts_json(facts: &ConnectionFacts) -> Result<String, StoreError> {
    serde_json::to_string(facts).map_err(|e| StoreError::Corrupt(format!("connection facts: {e}")))
}

/// The activation facts kept in a connection's `data` column.
pub(super) fn facts_of(data: Option<String>) -> Result<Option<ConnectionFacts>, StoreError> {
    data.map(|d| serde_json::from_str(&d))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("connection data: {e}")))
}

fn connection(row: &AnyRow) -> Result<Connection, StoreError> {
    let integration: i64 = column(row, "integration_id")?;
    let facts = facts_of(column(row, "data")?)?;
    let status: String = column(row, "status")?;
    Ok(Connection {
        id: uuid(&column::<String>(row, "id")?)?,
        consumer_id: uuid(&column::<String>(row, "consumer_id")?)?,
        kind: ConnectorKind::from_integration_id(integration)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown integration {integration}")))?,
        name: column(row, "name")?,
        status: ConnectionStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown connection status {status}")))?,
        facts,
        created_at: timestamp(column(row, "created_at")?)?,
        updated_at: timestamp(column(row, "updated_at")?)?,
    })
}
