//! Webhook subscriptions: `POST /webhook` (firm access) and `DELETE /webhook/{id}`.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::{Call, Retry};
use super::{auth, decode, MyUnisoft};
use crate::connectors::{ConnectorResult, Subscriptions, TenantConnection};

/// The part of a created subscription Passerelle keeps.
#[derive(Debug, Deserialize)]
struct Subscribed {
    id: i64,
}

#[async_trait]
impl Subscriptions for MyUnisoft {
    async fn subscribe(
        &self,
        connection: &TenantConnection,
        post_url: &str,
        events: &[&str],
    ) -> ConnectorResult<String> {
        let body = json!({ "postUrl": post_url, "onEvents": events });
        let call = Call::write(Method::POST, "/webhook", body, Retry::Never);
        let answer = self.client.send(&auth(connection, None), &call).await?;
        Ok(decode::<Subscribed>("/webhook", &answer)?.id.to_string())
    }

    async fn unsubscribe(&self, connection: &TenantConnection, id: &str) -> ConnectorResult<()> {
        let call = Call::write(Method::DELETE, "/webhook", json!({}), Retry::Safe)
            .suffix(format!("/{id}"));
        self.client.send(&auth(connection, None), &call).await?;
        Ok(())
    }
}
