"""Analytic accounts and outstandings through Chift's own SDK, served from the MyUnisoft sandbox."""

from __future__ import annotations

import secrets

import pytest

PORT = "4821"
GARAGE = "4822"


@pytest.fixture
def firm(connected_consumer):
    """`consumer.accounting` of a consumer connected with the sandbox's firm token."""
    return connected_consumer("firm").accounting


@pytest.fixture
def port(connected_consumer):
    """`consumer.accounting` of a consumer connected with the bakery's own token (no folder_id:
    the SDK's `AnalyticAccountMultiPlan.update` does not pass params)."""
    return connected_consumer("society_port").accounting


def test_analytic_accounts_of_every_plan(firm):
    accounts = firm.AnalyticAccountMultiPlan.all(params={"folder_id": PORT})
    assert {a.analytic_plan for a in accounts} == {"411", "412"}
    assert [a.code for a in accounts if a.analytic_plan == "411"] == ["ATTENTE", "BOUL", "PATI", "TRAI"]
    assert [a.active for a in accounts if a.code == "TRAI"] == [False]
    boul = next(a for a in accounts if a.code == "BOUL")
    assert abs(boul.balance - (boul.debit - boul.credit)) < 1e-9
    one = firm.AnalyticAccountMultiPlan.get(boul.id, "411", params={"folder_id": PORT})
    assert one.name == boul.name
    assert firm.AnalyticAccountMultiPlan.all(params={"folder_id": GARAGE}) == []


def test_analytic_account_create_get_update(port):
    code = f"S{secrets.randbelow(9000) + 1000}"
    created = port.AnalyticAccountMultiPlan.create({"code": code, "name": "Salon de thé", "currency": "EUR"}, "412")
    assert (created.analytic_plan, created.code, created.active) == ("412", code, True)
    updated = port.AnalyticAccountMultiPlan.update(created.id, "412", {"name": "Salon", "active": False})
    assert (updated.name, updated.active) == ("Salon", False)
    again = port.AnalyticAccountMultiPlan.get(created.id, "412")
    assert (again.name, again.code, again.active) == ("Salon", code, False)


def test_an_analytic_account_in_another_currency_is_refused(port):
    from chift.api.exceptions import ChiftException

    with pytest.raises(ChiftException) as raised:
        port.AnalyticAccountMultiPlan.create({"code": "USD1", "name": "Dollars", "currency": "USD"}, "411")
    assert raised.value.error_code == "ERROR_INVALID_BODY"
    assert "currency" in raised.value.message


def test_client_outstandings(firm):
    items = firm.Outstanding.all(params={"folder_id": PORT, "type": "client", "unposted_allowed": False})
    assert items and all(i.posted for i in items)
    assert all(0 < i.open_amount <= i.amount for i in items)
    assert any(i.open_amount < i.amount and i.matching_numbers for i in items), "a partially paid invoice"
    assert all(i.account_number.startswith("411") for i in items)


def test_pending_supplier_invoices_only_when_unposted_is_allowed(firm):
    params = {"folder_id": PORT, "type": "supplier"}
    posted = firm.Outstanding.all(params=params | {"unposted_allowed": False})
    everything = firm.Outstanding.all(params=params | {"unposted_allowed": True})
    pending = [i for i in everything if not i.posted]
    assert len(pending) == 3 and len(everything) == len(posted) + 3
    assert all(i.journal_type.value == "supplier_invoice" for i in pending)
