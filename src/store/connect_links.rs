//! Activation links of the connect page, known by the SHA-256 of their token. A link is spent by
//! the one UPDATE that claims it, in the transaction that stores the connection: two submissions
//! racing on two replicas cannot both succeed, and a failed store leaves the link open.

use chrono::{Duration, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool};
use uuid::Uuid;

use super::connections::{facts_json, rekey_row, Connections};
use super::{column, now_micros, timestamp, uuid, StoreError};
use crate::crypto::{Keyring, Sealed};
use crate::domain::connect_link::{ConnectLink, LinkPurpose, MAX_KEY_ATTEMPTS};
use crate::domain::connection::{ConnectionFacts, ConnectorKind, Credentials, NewConnection};

/// How long a link is kept after it expired (its page then still says so).
const KEPT_AFTER_EXPIRY: Duration = Duration::days(1);

const COLUMNS: &str = "token_hash, consumer_id, connection_id, purpose, integration_id, name, \
                       expires_at, used_at, key_attempts";

pub struct ConnectLinks<'p> {
    pool: &'p AnyPool,
}

impl<'p> ConnectLinks<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    /// Drops links expired for more than [`KEPT_AFTER_EXPIRY`], with the sealed keys they held
    /// (run periodically, so links of connections never linked again do not pile up). Returns
    /// how many.
    pub async fn prune_expired(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM connect_links WHERE expires_at < $1")
            .bind((Utc::now() - KEPT_AFTER_EXPIRY).timestamp_micros())
            .execute(self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Records a new link. Links of the same connection not used yet are dropped (the newest link
    /// is the one that works); expired ones are left to [`Self::prune_expired`].
    pub async fn insert(&self, new: &ConnectLink) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM connect_links WHERE connection_id = $1 AND used_at IS NULL")
            .bind(new.connection_id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO connect_links (token_hash, consumer_id, connection_id, purpose, \
             integration_id, name, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&new.hash)
        .bind(new.consumer_id.to_string())
        .bind(new.connection_id.to_string())
        .bind(new.purpose.as_str())
        .bind(new.kind.integration_id())
        .bind(&new.name)
        .bind(now_micros())
        .bind(new.expires_at.timestamp_micros())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn find(&self, hash: &str) -> Result<Option<ConnectLink>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM connect_links WHERE token_hash = $1");
        let row = sqlx::query(&sql).bind(hash).fetch_optional(self.pool).await?;
        row.map(|r| link(&r)).transpose()
    }

    /// Counts a key submitted on the link; `false` (nothing counted) when the link is no longer open
    /// or has had its [`MAX_KEY_ATTEMPTS`].
    pub async fn count_attempt(&self, hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE connect_links SET key_attempts = key_attempts + 1 WHERE token_hash = $1 \
             AND used_at IS NULL AND expires_at > $2 AND key_attempts < $3",
        )
        .bind(hash)
        .bind(now_micros())
        .bind(MAX_KEY_ATTEMPTS)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Keeps a checked key, sealed, while the customer chooses folders; `false` when the link is
    /// no longer open.
    pub async fn hold(
        &self,
        keyring: &Keyring,
        hash: &str,
        credentials: &Credentials,
        facts: &ConnectionFacts,
    ) -> Result<bool, StoreError> {
        let sealed = seal(keyring, hash, credentials)?;
        let done = sqlx::query(
            "UPDATE connect_links SET key_id = $2, nonce = $3, credentials = $4, data = $5 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $6",
        )
        .bind(hash)
        .bind(sealed.key_id)
        .bind(sealed.nonce)
        .bind(sealed.ciphertext)
        .bind(facts_json(facts)?)
        .bind(now_micros())
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The key held for the folder choice, with what its activation learned, if any.
    pub async fn held(
        &self,
        keyring: &Keyring,
        hash: &str,
    ) -> Result<Option<(Credentials, ConnectionFacts)>, StoreError> {
        let row = sqlx::query(
            "SELECT key_id, nonce, credentials, data FROM connect_links \
             WHERE token_hash = $1 AND credentials IS NOT NULL AND data IS NOT NULL",
        )
        .bind(hash)
        .fetch_optional(self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let sealed = Sealed {
            key_id: column(&row, "key_id")?,
            nonce: column(&row, "nonce")?,
            ciphertext: column(&row, "credentials")?,
        };
        let plaintext = keyring.open(&aad(hash), &sealed)?;
        let credentials = serde_json::from_slice(&plaintext)
            .map_err(|_| StoreError::Corrupt("held credentials are not JSON".into()))?;
        let facts = serde_json::from_str(&column::<String>(&row, "data")?)
            .map_err(|e| StoreError::Corrupt(format!("connect link data: {e}")))?;
        Ok(Some((credentials, facts)))
    }

    /// Spends the link and stores its connection with `credentials` on the caller's transaction:
    /// the link's held key is dropped, the connection created (or re-keyed) active. Nothing is
    /// stored unless the caller commits (with the change's event). `false` when nothing was
    /// stored: the link was used or expired meanwhile, or the connection a re-key link was for
    /// was deleted meanwhile.
    pub async fn complete_in(
        tx: &mut AnyConnection,
        keyring: &Keyring,
        account: Uuid,
        link: &ConnectLink,
        credentials: Credentials,
        facts: ConnectionFacts,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE connect_links SET used_at = $2, key_id = NULL, nonce = NULL, \
             credentials = NULL, data = NULL \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(&link.hash)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            return Ok(false);
        }
        let (consumer, id) = (link.consumer_id, link.connection_id);
        match link.purpose {
            LinkPurpose::Create => {
                let new = NewConnection {
                    id,
                    consumer_id: consumer,
                    kind: link.kind,
                    name: link.name.clone(),
                    credentials,
                    facts,
                };
                Connections::insert_in(&mut *tx, keyring, account, &new).await?;
                Ok(true)
            }
            LinkPurpose::Update => {
                rekey_row(&mut *tx, keyring, account, consumer, id, &credentials, &facts).await
            }
        }
    }
}

/// Held keys are bound to their link.
fn aad(hash: &str) -> String {
    format!("connect-link/{hash}")
}

fn seal(keyring: &Keyring, hash: &str, credentials: &Credentials) -> Result<Sealed, StoreError> {
    let plaintext = serde_json::to_vec(credentials)
        .map_err(|e| StoreError::Corrupt(format!("credentials do not serialize: {e}")))?;
    Ok(keyring.seal(&aad(hash), &plaintext)?)
}

fn link(row: &AnyRow) -> Result<ConnectLink, StoreError> {
    let integration: i64 = column(row, "integration_id")?;
    let purpose: String = column(row, "purpose")?;
    Ok(ConnectLink {
        hash: column(row, "token_hash")?,
        consumer_id: uuid(&column::<String>(row, "consumer_id")?)?,
        connection_id: uuid(&column::<String>(row, "connection_id")?)?,
        purpose: LinkPurpose::parse(&purpose)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown link purpose {purpose}")))?,
        kind: ConnectorKind::from_integration_id(integration)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown integration {integration}")))?,
        name: column(row, "name")?,
        expires_at: timestamp(column(row, "expires_at")?)?,
        used_at: column::<Option<i64>>(row, "used_at")?.map(timestamp).transpose()?,
        key_attempts: column(row, "key_attempts")?,
    })
}
