//! Connections: a consumer's link to one accounting software, with its (secret) credentials.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The accounting software a connection talks to. Adding a connector adds a variant here, and the
/// compiler lists every place to touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectorKind {
    MyUnisoft,
}

/// One credential a connector needs, as `GET /integrations` describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialSpec {
    pub key: &'static str,
    pub description: &'static str,
}

impl ConnectorKind {
    pub const ALL: [ConnectorKind; 1] = [ConnectorKind::MyUnisoft];

    /// Chift's integer `integrationid`.
    pub fn integration_id(self) -> i64 {
        match self {
            ConnectorKind::MyUnisoft => 1,
        }
    }

    pub fn from_integration_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.integration_id() == id)
    }

    pub fn name(self) -> &'static str {
        match self {
            ConnectorKind::MyUnisoft => "MyUnisoft",
        }
    }

    /// The Chift API vertical the connector serves.
    pub fn api(self) -> &'static str {
        match self {
            ConnectorKind::MyUnisoft => "Accounting",
        }
    }

    /// The connector's logo, an SVG document.
    pub fn logo_svg(self) -> &'static str {
        match self {
            ConnectorKind::MyUnisoft => include_str!("../../assets/integrations/myunisoft.svg"),
        }
    }

    pub fn credentials(self) -> &'static [CredentialSpec] {
        match self {
            ConnectorKind::MyUnisoft => &[CredentialSpec {
                key: "api_token",
                description: "MyUnisoft API token (society or firm access) generated for your \
                              partner integration",
            }],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionStatus {
    Active,
    Inactive,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::Inactive => "inactive",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(ConnectionStatus::Active),
            "inactive" => Some(ConnectionStatus::Inactive),
            _ => None,
        }
    }
}

/// What activation learned about a connection's credentials (not secret; shown as `data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "access", rename_all = "snake_case")]
pub enum ConnectionFacts {
    /// A token for one folder.
    Society { society_id: i64, schema_id: Option<i64> },
    /// A token for every folder of a firm its user can see; `folder_id` picks one per call.
    /// `selected`: the folders the customer chose on the connect page (only those are served);
    /// absent when credentials were pushed through the API (every folder is then served).
    Firm {
        schema_id: Option<i64>,
        folders: Vec<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        selected: Option<Vec<i64>>,
    },
}

impl ConnectionFacts {
    /// Whether calls may go to `folder`: a society token's own; for a firm token, a folder the
    /// customer selected (any folder when nothing was selected).
    pub fn is_selected(&self, folder: i64) -> bool {
        match self {
            ConnectionFacts::Society { society_id, .. } => *society_id == folder,
            ConnectionFacts::Firm { selected: Some(selected), .. } => selected.contains(&folder),
            ConnectionFacts::Firm { selected: None, .. } => true,
        }
    }

    /// The folders calls go to: a society token's own; the folders a customer selected for a
    /// firm token (every folder it sees when nothing was selected).
    pub fn served_folders(&self) -> &[i64] {
        match self {
            ConnectionFacts::Society { society_id, .. } => std::slice::from_ref(society_id),
            ConnectionFacts::Firm { folders, selected, .. } => {
                selected.as_deref().unwrap_or(folders)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: Uuid,
    pub consumer_id: Uuid,
    pub kind: ConnectorKind,
    pub name: String,
    pub status: ConnectionStatus,
    pub facts: Option<ConnectionFacts>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One `{key, value}` pair. `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub key: String,
    pub value: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential {{ key: {:?}, value: \"***\" }}", self.key)
    }
}

/// A connection's decrypted credentials; they exist only in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials(pub Vec<Credential>);

impl Credentials {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|c| c.key == key).map(|c| c.value.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct NewConnection {
    pub id: Uuid,
    pub consumer_id: Uuid,
    pub kind: ConnectorKind,
    pub name: String,
    pub credentials: Credentials,
    pub facts: ConnectionFacts,
}

/// New credentials always come with what their activation learned.
#[derive(Debug, Clone, Default)]
pub struct ConnectionPatch {
    pub name: Option<String>,
    pub credentials: Option<(Credentials, ConnectionFacts)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_credential_value() {
        let credentials =
            Credentials(vec![Credential { key: "api_token".into(), value: "tok-s3cr3t".into() }]);
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("s3cr3t") && shown.contains("api_token"), "{shown}");
    }

    #[test]
    fn credential_values_never_show_in_debug_output() {
        let creds =
            Credentials(vec![Credential { key: "api_token".into(), value: "s3cr3t".into() }]);
        let shown = format!("{creds:?}");
        assert!(shown.contains("api_token") && !shown.contains("s3cr3t"));
    }

    #[test]
    fn integration_ids_round_trip() {
        for kind in ConnectorKind::ALL {
            assert_eq!(ConnectorKind::from_integration_id(kind.integration_id()), Some(kind));
        }
        assert_eq!(ConnectorKind::from_integration_id(999), None);
    }
}
