//! Small JSON shapes shared by several routes.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::world::{Account, Folder};

/// `{account_id, account_number, label}` (counterparts, VAT accounts, upsert answers).
#[derive(Debug, Serialize)]
pub(super) struct AccountRef {
    pub(super) account_id: i64,
    pub(super) account_number: String,
    pub(super) label: String,
}

impl AccountRef {
    pub(super) fn of(account: &Account) -> Self {
        AccountRef {
            account_id: account.id,
            account_number: account.number.clone(),
            label: account.label.clone(),
        }
    }

    pub(super) fn by_id(folder: &Folder, id: Option<i64>) -> Option<Self> {
        id.and_then(|id| folder.account(id)).map(Self::of)
    }
}

/// MAD `SimplifiedAccount` with its id: `{producerId, number, name}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MadAccountRef {
    pub(super) producer_id: String,
    pub(super) number: String,
    pub(super) name: String,
}

impl MadAccountRef {
    pub(super) fn of(account: &Account) -> Self {
        MadAccountRef {
            producer_id: account.id.to_string(),
            number: account.number.clone(),
            name: account.label.clone(),
        }
    }
}

/// `{"code": "Success", "message": ""}`.
#[derive(Debug, Serialize)]
pub(crate) struct Success {
    code: &'static str,
    message: &'static str,
}

pub(super) const SUCCESS: Success = Success { code: "Success", message: "" };

/// An amount as a JSON number.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(transparent)]
pub(super) struct Amount(#[serde(with = "formats::amount")] pub(super) Decimal);
