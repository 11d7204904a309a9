"""Chift's fields filled from MyUnisoft, and Chift's options honoured or refused, read through Chift's
own SDK: a supplier's `bank_accounts`, an invoice's due-date payment method, and refusals read as
`ChiftException.error_code`."""

from __future__ import annotations

import secrets

import pytest
from chift.api.client import ChiftClient
from chift.api.exceptions import ChiftException

from test_entries import bakery, invoice  # noqa: F401 (the fixture is used by name)


def test_a_suppliers_ibans_are_its_bank_accounts(bakery):  # noqa: F811
    acc = bakery["acc"]
    minot = acc.Supplier.get(bakery["supplier"])
    accounts = minot.bank_accounts
    assert len(accounts) == 1
    assert accounts[0].iban == minot.iban and accounts[0].iban.startswith("FR")
    assert accounts[0].bic_swift == "CCBPFRPPBRT"
    assert accounts[0].is_primary is True


def test_an_invoices_due_date_carries_its_payment_method(bakery):  # noqa: F811
    acc = bakery["acc"]
    low = ChiftClient(consumer_id=str(bakery["consumer"].consumerid))
    methods = {m["name"]: m["id"] for m in low.get_all("accounting", "payment-methods")["items"]}
    body = invoice(bakery, f"FV{secrets.token_hex(3)}")
    body["payment_method_id"] = methods["Virement"]
    created = acc.Invoice.create(body, params={"regroup_lines": True})
    read = acc.Invoice.get(created.id, params={"include_invoice_lines": True})
    assert read.due_dates[0].payment_method_id == methods["Virement"]
    assert read.due_dates[0].payment_method == "Virement"
    assert read.lines[0].tax_amount == 40


@pytest.mark.parametrize(
    ("params", "field", "value", "code"),
    [
        ({"force_financial_period": "012020"}, None, None, "ERROR_INVALID_QUERY_PARAMETER"),
        ({}, "withholding_tax", {"tax_rate": -19, "tax_code": "x", "tax_amount": -38}, "ERROR_INVALID_BODY"),
        ({}, "nl_payment_terms_split", {"g_account": {"amount": 40, "iban": "NL02ABNA0123456789"},
                                        "n_account": {"amount": 200, "iban": "NL91ABNA0417164300"}}, "ERROR_INVALID_BODY"),
    ],
)
def test_options_myunisoft_cannot_honour_are_refused_with_a_code(bakery, params, field, value, code):  # noqa: F811
    body = invoice(bakery, f"FV{secrets.token_hex(3)}")
    if field:
        body[field] = value
    with pytest.raises(ChiftException) as raised:
        bakery["acc"].Invoice.create(body, params=params)
    assert raised.value.error_code == code
    named = next(iter(params), field)
    assert named in str(raised.value.detail) or named in raised.value.message
