//! API accounts: created by an operator (`passerelle account create`), never over HTTP.

use uuid::Uuid;

use crate::auth::secrets;
use crate::store::{NewAccount, Store, StoreError};

/// A new account's credentials. The secret exists only here; the store keeps its hash.
#[derive(Debug)]
pub struct IssuedAccount {
    pub account_id: Uuid,
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the account name must not be empty")]
    EmptyName,
    #[error("hashing the secret failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn create(store: &Store, name: &str) -> Result<IssuedAccount, AccountError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::EmptyName);
    }
    let client_id = secrets::new_client_id();
    let client_secret = secrets::new_client_secret();
    let to_hash = client_secret.clone();
    let hash = tokio::task::spawn_blocking(move || secrets::hash_secret(&to_hash))
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))?
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    let new = NewAccount { name, client_id: &client_id, client_secret_hash: &hash };
    let account = store.accounts().insert(&new).await?;
    Ok(IssuedAccount { account_id: account.id, client_id, client_secret })
}
