"""The FEC export through the Chift SDK's low-level client (it has no wrapper for it)."""

from __future__ import annotations

import secrets

from chift.api.client import ChiftClient
from chift.openapi.openapi import FECItemOut


def test_export_fec_rows_are_valid_fec_items(sdk, sandbox_tokens):
    consumer = sdk.Consumer.create({"name": f"Cabinet {secrets.token_hex(3)}"})
    consumer.Connection.create({"credentials": [{"key": "api_token", "value": sandbox_tokens["society_port"]}]})
    client = ChiftClient(consumer_id=str(consumer.consumerid))
    rows = client.get_all(
        "accounting", "export-fec", params={"folder_id": "4821", "date_from": "2025-01-01", "date_to": "2025-12-31"}
    )
    assert isinstance(rows, list) and rows
    items = [FECItemOut.model_validate(row) for row in rows]
    assert all(str(item.EcritureDate).startswith("2025") for item in items)
    debit = sum(round(item.Debit * 100) for item in items)
    credit = sum(round(item.Credit * 100) for item in items)
    assert debit == credit, "the year balances to the cent"
