"""A page of 100 customer invoices read live and from the data layer, through a running gateway.

Run (debug or release binary, PostgreSQL scratch database):

    passerelle sandbox --listen 127.0.0.1:18090 > /tmp/sandbox.json &
    DATABASE_URL=postgres://…/bench PASSERELLE_MASTER_KEY=… PASSERELLE_JWT_SECRET=… \
      MYUNISOFT_BASE_URL=http://127.0.0.1:18090/api/v1 \
      MYUNISOFT_THIRD_PARTY_SECRET=passerelle-sandbox-partner-secret PASSERELLE_LISTEN=127.0.0.1:18091 \
      sh -c 'passerelle account create --name bench > /tmp/account.json && passerelle serve' &
    python benches/datalayer_reads.py /tmp/account.json /tmp/sandbox.json

Prints the first sync's time (the seed folder, whole history), then sequential req/s and p99 of
the same page read live (upstream budget 20 calls per 10 s) and with `x-chift-datalayer: true`.
"""

import json
import sys
import time

import requests

G = "http://127.0.0.1:18091"


def main(account_file: str, sandbox_file: str) -> None:
    acct = json.load(open(account_file))
    body = {k: acct[k] for k in ("clientId", "clientSecret", "accountId")}
    token = requests.post(f"{G}/token", json=body).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    cid = requests.post(f"{G}/consumers", json={"name": "bench"}, headers=auth).json()["consumerid"]
    society = json.load(open(sandbox_file))["tokens"]["societyPort"]
    creds = {"credentials": [{"key": "api_token", "value": society}]}
    link = requests.post(f"{G}/consumers/{cid}/connections", json=creds, headers=auth).json()
    conn = link["url"].rsplit("/", 1)[-1]
    started = time.monotonic()
    enable = f"{G}/consumers/{cid}/connections/{conn}/enable_datalayer"
    requests.post(enable, json={"full_history": True}, headers=auth)
    item = f"{G}/consumers/{cid}/connections/{conn}"
    while requests.get(item, headers=auth).json()["datalayer"]["status"] != "ready":
        time.sleep(0.05)
    print(f"first sync (seed folder, full history): {time.monotonic() - started:.2f} s")
    url = f"{G}/consumers/{cid}/accounting/invoices/type/customer_invoice?size=100"

    def run(n: int, extra: dict) -> tuple[float, float]:
        session, latencies = requests.Session(), []
        for _ in range(n):
            start = time.monotonic()
            assert session.get(url, headers={**auth, **extra}).status_code == 200
            latencies.append(time.monotonic() - start)
        latencies.sort()
        return n / sum(latencies), latencies[int(n * 0.99) - 1] * 1000

    time.sleep(11)  # a fresh upstream budget window
    live = run(30, {})
    stored = run(300, {"x-chift-datalayer": "true"})
    print(f"live:      {live[0]:.1f} req/s, p99 {live[1]:.1f} ms")
    print(f"datalayer: {stored[0]:.1f} req/s, p99 {stored[1]:.1f} ms ({stored[0] / live[0]:.0f}x)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
