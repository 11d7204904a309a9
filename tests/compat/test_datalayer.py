"""The data layer through Chift's own SDK: the connection's `datalayer` field, and reads sent with
`datalayer=True` / `datalayer="if_available"` answering what the live reads answer. (This SDK's
`Invoice.all` does not pass `datalayer` on: the list is read through the pagination method it
inherits, which does, and each invoice is compared with `Invoice.get` too.)"""

from __future__ import annotations

import time

import pytest
from chift.api.client import ChiftClient
from chift.api.mixins import PaginationMixin


@pytest.fixture
def consumer(connected_consumer):
    return connected_consumer("society_port", "Boulangerie")


def datalayer_of(consumer) -> dict:
    (connection,) = consumer.Connection.all()
    return connection.model_dump(mode="json")["datalayer"]


def dumped(items) -> list:
    return [i.model_dump(mode="json") for i in items]


def test_reads_from_the_datalayer_equal_the_live_ones(consumer):
    (connection,) = consumer.Connection.all()
    assert datalayer_of(consumer) == {"status": "not_enabled", "last_sync_date": None}

    # Before the datalayer is ready, `if_available` falls back to live reads.
    acc = consumer.accounting
    clients = dumped(acc.Client.all())
    assert dumped(acc.Client.all(datalayer="if_available")) == clients

    raw = ChiftClient(consumer_id=str(consumer.consumerid))
    raw.post_one("connections", str(connection.connectionid), {"full_history": True}, extra_path="enable_datalayer")
    deadline = time.monotonic() + 60
    while datalayer_of(consumer)["status"] != "ready":
        assert time.monotonic() < deadline, datalayer_of(consumer)
        time.sleep(0.2)
    assert datalayer_of(consumer)["last_sync_date"]

    assert dumped(acc.Client.all(datalayer=True)) == clients
    assert dumped(acc.Supplier.all(datalayer=True)) == dumped(acc.Supplier.all())
    assert dumped(acc.Journal.all(datalayer=True)) == dumped(acc.Journal.all())
    window = {"unposted_allowed": "true", "date_from": "2025-01-01", "date_to": "2026-12-31"}
    entries = dumped(acc.JournalEntry.all(params=window))
    assert entries and dumped(acc.JournalEntry.all(params=window, datalayer=True)) == entries

    invoices = acc.Invoice.all("customer_invoice")
    assert invoices
    path = "type/customer_invoice"
    stored = PaginationMixin.all(acc.Invoice, extra_path=path, datalayer=True)
    assert dumped(stored) == dumped(invoices)
    for invoice in invoices:
        live = acc.Invoice.get(invoice.id, params={"include_payments": "true"})
        stored = acc.Invoice.get(invoice.id, params={"include_payments": "true"}, datalayer=True)
        assert stored.model_dump(mode="json") == live.model_dump(mode="json")
