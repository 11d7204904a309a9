"""Clients and suppliers through Chift's own SDK, served from the MyUnisoft sandbox."""

from __future__ import annotations

import secrets

import pytest

PORT = "4821"


@pytest.fixture
def acc(sdk, sandbox_tokens):
    """`consumer.accounting` of a consumer connected with the sandbox's firm token."""
    consumer = sdk.Consumer.create({"name": f"Cabinet {secrets.token_hex(3)}"})
    consumer.Connection.create({"credentials": [{"key": "api_token", "value": sandbox_tokens["firm"]}]})
    return consumer.accounting


def new_party(name: str) -> dict:
    return {
        "name": name,
        "email": "compta@example.com",
        "phone": "0298000000",
        "addresses": [
            {"address_type": "main", "street": "Rue de Siam", "city": "BREST", "postal_code": "29200", "country": "FR"}
        ],
    }


def test_clients_all_get_create_update(acc):
    clients = acc.Client.all(params={"folder_id": PORT})
    hotel = next(c for c in clients if c.account_number == "411HOTEL")
    assert acc.Client.get(hotel.id, params={"folder_id": PORT}).name == hotel.name

    name = f"Client SDK {secrets.token_hex(3)}"
    created = acc.Client.create(new_party(name), params={"folder_id": PORT})
    assert created.name == name and created.account_number.startswith("411")
    assert created.addresses[0].city == "BREST"

    updated = acc.Client.update(created.id, {"email": "autre@example.com"}, params={"folder_id": PORT})
    assert updated.email == "autre@example.com"
    again = acc.Client.get(created.id, params={"folder_id": PORT})
    assert again.email == "autre@example.com" and again.phone == "0298000000"
    assert created.id in {c.id for c in acc.Client.all(params={"folder_id": PORT})}


def test_suppliers_all_get_create_update(acc):
    suppliers = acc.Supplier.all(params={"folder_id": PORT})
    assert suppliers and all(s.account_number.startswith("401") for s in suppliers)
    first = acc.Supplier.get(suppliers[0].id, params={"folder_id": PORT})
    assert first.id == suppliers[0].id

    created = acc.Supplier.create(new_party(f"Fournisseur SDK {secrets.token_hex(3)}"), params={"folder_id": PORT})
    assert created.account_number.startswith("401")
    updated = acc.Supplier.update(created.id, {"phone": "0299999999"}, params={"folder_id": PORT})
    assert updated.phone == "0299999999"


def test_a_duplicate_client_is_a_chift_409(acc):
    from chift.api.exceptions import ChiftException

    with pytest.raises(ChiftException) as raised:
        acc.Client.create(new_party("HÔTEL DE LA MER"), params={"folder_id": PORT})
    assert raised.value.error_code == "ERROR_PARTNER_ALREADY_EXISTS"
