//! `GET /mad/balance?version=1.0.0`: Σ(debit − credit) per account over one exercise or window
//! (`classAccount` roots), journals of type `OD_EXC` excluded; only `number`, `name`, `balance`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Serialize;

use super::mad::{self, Selection};
use super::wire::Amount;
use crate::errors::ApiResult;
use crate::large::Generator;
use crate::params::Params;
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::{Entry, Folder};

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/mad/balance", get(mad_balance))
}

#[derive(Debug, Serialize)]
struct BalanceOut {
    account: SimplifiedAccount,
    balance: Amount,
}

#[derive(Debug, Serialize)]
struct SimplifiedAccount {
    number: String,
    name: String,
}

fn counted(folder: &Folder, entry: &Entry, selection: &Selection) -> bool {
    selection.takes_entry(entry)
        && folder.diary(entry.diary_id).is_none_or(|d| d.type_code() != "OD_EXC")
}

async fn mad_balance(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<BalanceOut>>> {
    let mut balances: BTreeMap<String, (String, Decimal)> = BTreeMap::new();
    let generated = {
        let world = shared.world();
        let folder = world.folder(id)?;
        let mut selection = Selection::parse(folder, &params)?;
        selection.draft = false;
        selection.lettering = None;
        if folder.generated {
            Generator::new(folder.clone(), shared.large_movements()).map(|g| (g, selection))
        } else {
            let lines = folder
                .entries
                .iter()
                .filter(|e| counted(folder, e, &selection))
                .flat_map(|e| &e.lines);
            mad::add_to_balances(folder, lines, &selection, &mut balances);
            None
        }
    };
    // Generated books are walked without holding the world lock.
    if let Some((generator, selection)) = generated {
        let folder = generator.folder();
        for entry in generator.entries().filter(|e| counted(folder, e, &selection)) {
            mad::add_to_balances(folder, entry.lines.iter(), &selection, &mut balances);
        }
    }
    let list = balances
        .into_iter()
        .map(|(number, (name, balance))| BalanceOut {
            account: SimplifiedAccount { number, name },
            balance: Amount(balance),
        })
        .collect();
    Ok(Json(list))
}
