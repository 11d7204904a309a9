//! API accounts: created by an operator (`passerelle account create`), never over HTTP, and the
//! check of their credentials on `POST /token`.

use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::auth::secrets::{self, SecretDigests};
use crate::domain::account::ApiAccount;
use crate::store::{NewAccount, Store, StoreError};

/// A new account's credentials. The secret exists only here; the store keeps its digest.
/// `Debug` never shows the secret.
pub struct IssuedAccount {
    pub account_id: Uuid,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for IssuedAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedAccount")
            .field("account_id", &self.account_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the account name must not be empty")]
    EmptyName,
    #[error("checking an Argon2 hash failed: {0}")]
    LegacyCheck(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn create(
    store: &Store,
    digests: &SecretDigests,
    name: &str,
) -> Result<IssuedAccount, AccountError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::EmptyName);
    }
    let client_id = secrets::new_client_id();
    let client_secret = secrets::new_client_secret();
    let digest = digests.digest(&client_secret);
    let new = NewAccount { name, client_id: &client_id, client_secret_hash: &digest };
    let account = store.accounts().insert(&new).await?;
    Ok(IssuedAccount { account_id: account.id, client_id, client_secret })
}

/// Argon2 checks of hashes stored before the digests that may run at once: each takes 19 MiB and
/// tens of milliseconds of CPU.
static LEGACY_CHECKS: Semaphore = Semaphore::const_new(2);

/// The account `client_id` and `secret` open, if they are right and `account_id` is theirs.
/// An unknown clientId costs what a wrong secret does: one digest, checked against a decoy. An
/// Argon2 hash from before is checked (at most two at a time) and replaced by the digest on its
/// first success.
pub async fn authenticate(
    store: &Store,
    digests: &SecretDigests,
    client_id: &str,
    secret: &str,
    account_id: Uuid,
) -> Result<Option<ApiAccount>, AccountError> {
    let found = store.accounts().find_by_client_id(client_id).await?;
    let (account, stored) = match found {
        Some((account, stored)) if account.id == account_id => (Some(account), Some(stored)),
        _ => (None, None),
    };
    if let Some(matches) = digests.verify(secret, stored.as_deref()) {
        return Ok(account.filter(|_| matches));
    }
    let (Some(account), Some(stored)) = (account, stored) else { return Ok(None) };
    let permit =
        LEGACY_CHECKS.acquire().await.map_err(|e| AccountError::LegacyCheck(e.to_string()))?;
    let (to_check, hash) = (secret.to_owned(), stored.clone());
    let matches = tokio::task::spawn_blocking(move || secrets::verify_legacy(&to_check, &hash))
        .await
        .map_err(|e| AccountError::LegacyCheck(e.to_string()))?;
    drop(permit);
    if !matches {
        return Ok(None);
    }
    store.accounts().replace_secret_hash(account.id, &stored, &digests.digest(secret)).await?;
    Ok(Some(account))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_client_secret() {
        let issued = IssuedAccount {
            account_id: Uuid::nil(),
            client_id: "pc_abc".into(),
            client_secret: "ps_s3cr3t".into(),
        };
        let shown = format!("{issued:?}");
        assert!(!shown.contains("s3cr3t") && shown.contains("pc_abc"), "{shown}");
    }
}
