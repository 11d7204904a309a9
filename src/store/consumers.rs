//! Consumers, always within one account.

use sqlx::any::AnyRow;
use sqlx::AnyPool;
use uuid::Uuid;

use super::{column, now_micros, timestamp, uuid, StoreError};
use crate::domain::consumer::{Consumer, ConsumerFilter, ConsumerPatch, NewConsumer};

pub struct Consumers<'p> {
    pool: &'p AnyPool,
}

const COLUMNS: &str = "id, account_id, name, email, internal_reference, redirect_url, created_at";

impl<'p> Consumers<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, account: Uuid, new: &NewConsumer) -> Result<Consumer, StoreError> {
        let id = Uuid::new_v4();
        let sql = format!("INSERT INTO consumers ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        sqlx::query(&sql)
            .bind(id.to_string())
            .bind(account.to_string())
            .bind(&new.name)
            .bind(&new.email)
            .bind(&new.internal_reference)
            .bind(&new.redirect_url)
            .bind(now_micros())
            .execute(self.pool)
            .await?;
        self.find(account, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("consumer vanished right after its insert".into()))
    }

    /// The account's consumers, oldest first.
    pub async fn list(
        &self,
        account: Uuid,
        filter: &ConsumerFilter,
    ) -> Result<Vec<Consumer>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM consumers WHERE account_id = $1 \
             AND ($2 IS NULL OR LOWER(name) LIKE $2 ESCAPE '\\' \
                  OR LOWER(COALESCE(email, '')) LIKE $2 ESCAPE '\\') \
             AND ($3 IS NULL OR internal_reference = $3) \
             ORDER BY created_at, id"
        );
        let pattern = filter.search.as_deref().map(|s| format!("%{}%", like_escape(s)));
        let rows = sqlx::query(&sql)
            .bind(account.to_string())
            .bind(pattern)
            .bind(&filter.internal_reference)
            .fetch_all(self.pool)
            .await?;
        rows.iter().map(consumer).collect()
    }

    pub async fn find(&self, account: Uuid, id: Uuid) -> Result<Option<Consumer>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM consumers WHERE id = $1 AND account_id = $2");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(account.to_string())
            .fetch_optional(self.pool)
            .await?;
        row.map(|r| consumer(&r)).transpose()
    }

    /// The account owning consumer `id`, for operator commands that name only the consumer.
    pub async fn account_of(&self, id: Uuid) -> Result<Option<Uuid>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT account_id FROM consumers WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(self.pool)
                .await?;
        Ok(row.and_then(|(a,)| Uuid::parse_str(&a).ok()))
    }

    /// Applies the fields present in `patch`; `None` when the consumer is not the account's.
    pub async fn update(
        &self,
        account: Uuid,
        id: Uuid,
        patch: &ConsumerPatch,
    ) -> Result<Option<Consumer>, StoreError> {
        sqlx::query(
            "UPDATE consumers SET name = COALESCE($3, name), email = COALESCE($4, email), \
             internal_reference = COALESCE($5, internal_reference), \
             redirect_url = COALESCE($6, redirect_url) \
             WHERE id = $1 AND account_id = $2",
        )
        .bind(id.to_string())
        .bind(account.to_string())
        .bind(&patch.name)
        .bind(&patch.email)
        .bind(&patch.internal_reference)
        .bind(&patch.redirect_url)
        .execute(self.pool)
        .await?;
        self.find(account, id).await
    }

    /// Deletes the consumer with its connections; `false` when it is not the account's.
    pub async fn delete(&self, account: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM consumers WHERE id = $1 AND account_id = $2")
            .bind(id.to_string())
            .bind(account.to_string())
            .execute(self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Lower-cases and escapes `%`, `_` and `\` so that a search is a plain substring match.
fn like_escape(search: &str) -> String {
    let mut out = String::with_capacity(search.len());
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn consumer(row: &AnyRow) -> Result<Consumer, StoreError> {
    Ok(Consumer {
        id: uuid(&column::<String>(row, "id")?)?,
        account_id: uuid(&column::<String>(row, "account_id")?)?,
        name: column(row, "name")?,
        email: column(row, "email")?,
        internal_reference: column(row, "internal_reference")?,
        redirect_url: column(row, "redirect_url")?,
        created_at: timestamp(column(row, "created_at")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::like_escape;

    #[test]
    fn search_wildcards_are_taken_literally() {
        assert_eq!(like_escape("50%_A\\b"), "50\\%\\_a\\\\b");
    }
}
