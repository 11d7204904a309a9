"""The accounting reference data through Chift's own SDK, served from the MyUnisoft sandbox."""

from __future__ import annotations

import secrets

import pytest

PORT = "4821"
GARAGE = "4822"


@pytest.fixture
def acc(connected_consumer):
    """`consumer.accounting` of a consumer connected with the sandbox's firm token."""
    return connected_consumer("firm").accounting


def test_folders_are_the_firm_folders(acc):
    folders = acc.Folder.all()
    assert [f.id for f in folders] == [PORT, GARAGE, "4823"]
    assert folders[0].name == "BOULANGERIE DU PORT"


def test_bookyears_show_the_closed_and_the_open_year(acc):
    years = {y.name: y for y in acc.BookYear.all(params={"folder_id": PORT})}
    assert years["2025"].closed is True
    assert years["2026"].closed is False
    assert str(years["2026"].start) == "2026-01-01"


def test_accounts_page_through_the_whole_chart(acc):
    accounts = acc.Account.all(params={"folder_id": PORT}, page_size=40)
    numbers = [a.number for a in accounts]
    assert len(numbers) == len(set(numbers)) > 50
    assert "512000" in numbers
    one = acc.Account.get("706000", params={"folder_id": PORT})
    assert one.name


def test_journals_and_taxes_and_plans(acc):
    journals = acc.Journal.all(params={"folder_id": PORT})
    bank = next(j for j in journals if j.code == "15")
    assert bank.journal_type.value == "financial_operation"
    assert acc.Journal.get(bank.id, params={"folder_id": PORT}).name == bank.name
    taxes = acc.Tax.all(params={"folder_id": PORT})
    assert any(float(t.rate) == 20.0 and t.type.value == "both" for t in taxes)
    assert len(acc.AnalyticPlan.all(params={"folder_id": PORT})) == 2
    assert acc.AnalyticPlan.all(params={"folder_id": GARAGE}) == []


def test_bank_accounts_and_employees(acc):
    banks = acc.BankAccount.all(params={"folder_id": PORT})
    assert any(b.ledger_account == "512000" for b in banks)
    employees = acc.Employee.all(params={"folder_id": PORT})
    assert len(employees) >= 3 and all(e.name for e in employees)


def test_balance_create_returns_rows_per_account(acc):
    rows = acc.Balance.create({"accounts": ["6"], "end": "202606"}, params={"folder_id": PORT, "size": 100})
    assert rows, "class 6 has movements in the first half of 2026"
    for row in rows:
        assert row.account_number.startswith("6")
        assert abs(row.balance - (row.debit - row.credit)) < 1e-9


def test_account_and_journal_create(acc):
    number = f"7061{secrets.randbelow(90) + 10}"
    created = acc.Account.create({"number": number, "name": "Ventes SDK"}, params={"folder_id": PORT})
    assert created.number == number
    code = f"S{secrets.randbelow(900) + 100}"
    journal = acc.Journal.create(
        {"code": code, "name": "OD SDK", "journal_type": "miscellaneous_operation"}, params={"folder_id": PORT}
    )
    assert journal.code == code
    assert journal.journal_type.value == "miscellaneous_operation"


def test_a_missing_folder_id_is_a_chift_error(acc):
    from chift.api.exceptions import ChiftException

    with pytest.raises(ChiftException) as raised:
        acc.Journal.all()
    assert raised.value.error_code == "ERROR_INVALID_QUERY_PARAMETER"
    assert "folders" in raised.value.message
