"""Journal entries, invoices, operations, payments and matching through Chift's own SDK, written
into and read from the MyUnisoft sandbox."""

from __future__ import annotations

import secrets

import pytest
from chift.api.client import ChiftClient
from chift.api.exceptions import ChiftException
from chift.openapi.openapi import Payment as PaymentModel


@pytest.fixture(scope="module")
def bakery(gateway, sandbox_tokens):
    """A consumer connected with the bakery's own token (folder 4821), its accounting router and ids."""
    import chift

    chift.url_base = gateway.url
    chift.client_id = gateway.account.client_id
    chift.client_secret = gateway.account.client_secret
    chift.account_id = gateway.account.account_id
    consumer = chift.Consumer.create({"name": f"Boulangerie {secrets.token_hex(3)}"})
    consumer.Connection.create({"credentials": [{"key": "api_token", "value": sandbox_tokens["society_port"]}]})
    acc = consumer.accounting
    journals = {j.code: j.id for j in acc.Journal.all()}
    supplier = next(s.id for s in acc.Supplier.all() if s.account_number == "401MINOT")
    client = next(c.id for c in acc.Client.all() if c.account_number == "411CREPE")
    vat = next(t for t in acc.Tax.all() if t.rate == 20 and t.payable_account and t.deductible_account)
    return {"consumer": consumer, "acc": acc, "journals": journals, "supplier": supplier, "client": client, "vat": vat.id}


def entry(b, number, posted=True):
    return {
        "journal_id": b["journals"]["20"],
        "number": number,
        "currency": "EUR",
        "date": "2026-04-15",
        "posted": posted,
        "items": [
            {"account_type": "general_account", "account": "606300", "description": "Petit matériel", "debit": 80, "credit": 0},
            {"account_type": "supplier_account", "account": b["supplier"], "description": "MINOTERIE", "debit": 0, "credit": 80},
        ],
    }


def invoice(b, number):
    return {
        "invoice_type": "customer_invoice",
        "invoice_number": number,
        "currency": "EUR",
        "untaxed_amount": 200,
        "tax_amount": 40,
        "total": 240,
        "invoice_date": "2026-04-20",
        "due_date": "2026-05-20",
        "partner_id": b["client"],
        "lines": [
            {"unit_price": 20, "quantity": 10, "untaxed_amount": 200, "tax_rate": 20, "tax_amount": 40, "total": 240,
             "account_number": "706000", "tax_code": b["vat"], "description": "Pains spéciaux"}
        ],
    }


def test_entries_are_created_and_read_back(bakery):
    acc = bakery["acc"]
    created = acc.Entry.create(entry(bakery, f"SDK{secrets.token_hex(3)}"))
    assert created.id.startswith("psrl-") and len(created.items) == 2
    assert sorted((float(i.debit), float(i.credit)) for i in created.items) == [(0.0, 80.0), (80.0, 0.0)]
    pending = acc.JournalEntry.create(entry(bakery, f"SDK{secrets.token_hex(3)}", posted=False))
    assert pending.posted is False
    window = {"unposted_allowed": True, "date_from": "2026-04-15", "date_to": "2026-04-15"}
    listed = {e.id for e in acc.JournalEntry.all(params=window)}
    assert {created.id, pending.id} <= listed
    assert created.id in {e.id for e in acc.Entry.all(params=window)}
    low = ChiftClient(consumer_id=str(bakery["consumer"].consumerid))
    one = low.get_one("accounting", "journal/entries", created.id)
    assert one["id"] == created.id and one["items"][1]["partner_id"] == bakery["supplier"]


def test_a_replayed_client_request_id_is_a_409(bakery):
    acc = bakery["acc"]
    request_id = f"sdk-{secrets.token_hex(6)}"
    body = entry(bakery, f"SDK{secrets.token_hex(3)}")
    acc.Entry.create(body, client_request_id=request_id)
    with pytest.raises(ChiftException) as raised:
        acc.Entry.create(body, client_request_id=request_id)
    assert raised.value.error_code == "REQUEST_ALREADY_PROCESSED"


def test_chift_error_codes_reach_the_sdk(bakery):
    acc = bakery["acc"]
    with pytest.raises(ChiftException) as raised:
        acc.Invoice.get("999999999")
    assert raised.value.error_code == "ERROR_INVOICE_NOT_FOUND"
    unbalanced = entry(bakery, f"SDK{secrets.token_hex(3)}")
    unbalanced["items"][0]["debit"] = 80.01
    with pytest.raises(ChiftException) as raised:
        acc.JournalEntry.create(unbalanced)
    assert raised.value.error_code == "ERROR_ENTRY_NOT_BALANCED"
    assert "80.01" in raised.value.message
    wrong_journal = entry(bakery, f"SDK{secrets.token_hex(3)}")
    wrong_journal["journal_id"] = "424242"
    with pytest.raises(ChiftException) as raised:
        acc.JournalEntry.create(wrong_journal)
    assert raised.value.error_code == "ERROR_JOURNAL_NOT_FOUND"
    odd_currency = entry(bakery, f"SDK{secrets.token_hex(3)}")
    odd_currency["currency"] = "EURO"
    with pytest.raises(ChiftException) as raised:
        acc.JournalEntry.create(odd_currency)
    assert raised.value.error_code == "ERROR_INVALID_CURRENCY_FORMAT"
    negative = entry(bakery, f"SDK{secrets.token_hex(3)}")
    negative["items"][0]["debit"] = -80
    negative["items"][1]["credit"] = -80
    with pytest.raises(ChiftException) as raised:
        acc.JournalEntry.create(negative)
    assert raised.value.error_code == "ERROR_DEBIT_CREDIT_VALUE"
    with pytest.raises(ChiftException) as raised:
        acc.Invoice.create(invoice(bakery, "FACTURE№" + secrets.token_hex(3)))
    assert raised.value.error_code == "ERROR_INVALID_FIELD_FORMAT_INVOICE_NUMBER"


def test_invoices_by_type_get_and_create(bakery):
    acc = bakery["acc"]
    for invoice_type in ["customer_invoice", "customer_refund", "supplier_invoice", "supplier_refund"]:
        for inv in acc.Invoice.all(invoice_type, params={"date_from": "2026-01-01", "date_to": "2026-12-31"}):
            assert inv.invoice_type.value == invoice_type
            assert round((inv.untaxed_amount + inv.tax_amount - inv.total) * 100) == 0
    sales = acc.Invoice.all("customer_invoice", params={"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert sales
    assert acc.Invoice.get(sales[0].id).total == sales[0].total
    created = acc.Invoice.create(invoice(bakery, f"FV{secrets.token_hex(3)}"))
    assert created.total == 240 and created.lines[0].description == "Pains spéciaux"
    assert acc.Invoice.get(created.id).lines[0].tax_amount == 40


def test_multi_plan_invoices(bakery):
    acc = bakery["acc"]
    plans = acc.AnalyticPlan.all()
    sections = [a for a in acc.AnalyticAccountMultiPlan.all() if a.analytic_plan == plans[0].id]
    body = invoice(bakery, f"FV{secrets.token_hex(3)}")
    body["lines"][0]["analytic_distribution"] = [
        {"analytic_plan": plans[0].id, "analytic_accounts": [{"analytic_account": sections[0].id, "percentage": 100}]}
    ]
    created = acc.InvoiceMultiPlan.create(body)
    read = acc.InvoiceMultiPlan.get(created.id)
    assert read.lines[0].analytic_distribution[0].analytic_accounts[0].analytic_account == sections[0].id
    listed = acc.InvoiceMultiPlan.all("customer_invoice", params={"date_from": "2026-04-20", "date_to": "2026-04-20"})
    assert created.id in {i.id for i in listed}


def test_miscellaneous_operations(bakery):
    acc = bakery["acc"]
    created = acc.MiscellaneousOperation.create({
        "currency": "EUR", "operation_date": "2026-06-30", "operation_number": f"OD{secrets.token_hex(2)}",
        "lines": [
            {"amount": -42.5, "type": "general_account", "account_number": "616000", "description": "Assurance"},
            {"amount": 42.5, "type": "general_account", "account_number": "486000", "description": "Charge constatée"},
        ],
    })
    assert acc.MiscellaneousOperation.get(created.id).lines[0].amount == -42.5
    listed = acc.MiscellaneousOperation.all(params={"date_from": "2026-06-30", "date_to": "2026-06-30"})
    assert created.id in {o.id for o in listed}


def test_financial_entry_expense_and_bank_transactions(bakery):
    acc = bakery["acc"]
    fin = acc.FinancialEntry.create({
        "date": "2026-07-02", "journal_id": bakery["journals"]["15"], "currency": "EUR", "number": "FE1",
        "items": [{"account_type": "general_account", "account": "627000", "amount": -3.9, "description": "Frais"}],
    })
    assert fin.items[0].counterpart_account == "512000"
    employee = acc.Employee.all()[0]
    expense = acc.Expense.create({
        "employee_id": employee.id, "total": 12, "untaxed_amount": 10, "tax_amount": 2, "currency": "EUR",
        "date": "2026-07-03",
        "lines": [{"total": 12, "untaxed_amount": 10, "tax_amount": 2, "account_number": "625700",
                   "tax_rate": 20, "tax_id": bakery["vat"], "description": "Repas"}],
    })
    assert expense.id
    bank = acc.BankAccount.all()[0]
    statement = acc.BankTransaction.create({
        "bank_statement_date": "2026-07-31", "bank_account_id": bank.id, "currency": "EUR",
        "external_bank_statement_id": "2607",
        "items": [{"amount": 25, "description": "Remise espèces", "general_ledger_account": "530000"}],
    })
    assert statement.id


def test_payment_and_matching(bakery):
    acc = bakery["acc"]
    first = acc.Invoice.create(invoice(bakery, f"FV{secrets.token_hex(3)}"))
    low = ChiftClient(consumer_id=str(bakery["consumer"].consumerid))
    methods = low.get_all("accounting", "payment-methods")["items"]
    assert acc.InvoicePayment.create({
        "date": "2026-05-02", "payment_method_id": methods[0]["id"], "currency": "EUR",
        "items": [{"invoice_id": first.id, "amount": 240}],
    }) is True
    page = low.get_all("accounting", f"invoices/id/{first.id}/payments")
    payments = [PaymentModel.model_validate(p) for p in page["items"]]
    assert [float(p.amount) for p in payments] == [240.0]
    assert acc.Invoice.get(first.id).status.value == "paid"

    second = acc.Invoice.create(invoice(bakery, f"FV{secrets.token_hex(3)}"))
    transfer = acc.Entry.create({
        "journal_id": bakery["journals"]["15"], "number": f"VIR{secrets.token_hex(2)}", "currency": "EUR", "date": "2026-05-03",
        "items": [
            {"account_type": "general_account", "account": "512000", "description": "Virement", "debit": 240, "credit": 0},
            {"account_type": "customer_account", "account": bakery["client"], "description": "Virement", "debit": 0, "credit": 240},
        ],
    })
    matched = acc.EntryMatching.create({"entries": [second.id, transfer.id], "partner_id": bakery["client"]})
    assert matched.matching_number and matched.balance == 0


def test_attachments_create_and_all(bakery):
    import base64

    acc = bakery["acc"]
    created = acc.Invoice.create(invoice(bakery, f"FV{secrets.token_hex(3)}"))
    content = base64.b64encode(b"%PDF-1.4\nsdk\n%%EOF").decode()
    assert acc.Attachment.create(created.id, {"base64_string": content, "name": "facture-sdk"}) is True
    files = acc.Attachment.all(params={"type": "invoice", "document_id": created.id})
    assert [f.base64_string for f in files] == [content]
