//! API accounts and the stored form of their client secrets.

use sqlx::any::AnyRow;
use sqlx::AnyPool;
use uuid::Uuid;

use super::{column, is_unique_violation, now_micros, timestamp, uuid, StoreError};
use crate::domain::account::ApiAccount;

pub struct NewAccount<'a> {
    pub name: &'a str,
    pub client_id: &'a str,
    /// A keyed digest (`hmac-sha256$…`), never the secret.
    pub client_secret_hash: &'a str,
}

pub struct Accounts<'p> {
    pool: &'p AnyPool,
}

const COLUMNS: &str = "id, name, client_id, client_secret_hash, created_at";

impl<'p> Accounts<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, new: &NewAccount<'_>) -> Result<ApiAccount, StoreError> {
        let id = Uuid::new_v4();
        let sql = format!("INSERT INTO accounts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5)");
        sqlx::query(&sql)
            .bind(id.to_string())
            .bind(new.name)
            .bind(new.client_id)
            .bind(new.client_secret_hash)
            .bind(now_micros())
            .execute(self.pool)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict("client id")
                } else {
                    e.into()
                }
            })?;
        let (account, _) = self
            .find_by_client_id(new.client_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("account vanished right after its insert".into()))?;
        Ok(account)
    }

    /// The account and the stored form of its secret, for `POST /token`.
    pub async fn find_by_client_id(
        &self,
        client_id: &str,
    ) -> Result<Option<(ApiAccount, String)>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE client_id = $1");
        let row = sqlx::query(&sql).bind(client_id).fetch_optional(self.pool).await?;
        row.map(|r| Ok((account(&r)?, column(&r, "client_secret_hash")?))).transpose()
    }

    /// Replaces `old`, the stored form of an account's secret, by `new` (an Argon2 hash by its
    /// digest); a no-op when it changed meanwhile.
    pub async fn replace_secret_hash(
        &self,
        id: Uuid,
        old: &str,
        new: &str,
    ) -> Result<(), StoreError> {
        let sql =
            "UPDATE accounts SET client_secret_hash = $1 WHERE id = $2 AND client_secret_hash = $3";
        sqlx::query(sql).bind(new).bind(id.to_string()).bind(old).execute(self.pool).await?;
        Ok(())
    }

    pub async fn find(&self, id: Uuid) -> Result<Option<ApiAccount>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(self.pool).await?;
        row.map(|r| account(&r)).transpose()
    }
}

fn account(row: &AnyRow) -> Result<ApiAccount, StoreError> {
    Ok(ApiAccount {
        id: uuid(&column::<String>(row, "id")?)?,
        name: column(row, "name")?,
        client_id: column(row, "client_id")?,
        created_at: timestamp(column(row, "created_at")?)?,
    })
}
