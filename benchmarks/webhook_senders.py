"""The senders of the webhook benchmark, in a process of their own.

Run by ``webhooks.py``; not meant to be run by hand. Reads a JSON job (the URL, the number of
senders, an offered rate, the deliveries with their headers) and writes one answer per delivery:
status, the receiver's ``status`` field, seconds from send to the whole answer read.

A store sends from another machine: senders in the benchmark's own process would wait for the
sandbox's interpreter lock, and that wait would be counted as the receiver's answer time. Each
sender keeps one HTTP/1.1 connection (``http.client``, as light as a client gets in Python).
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from typing import Any
from urllib.parse import urlsplit


def send_all(job: dict[str, Any]) -> tuple[list[dict[str, Any]], float]:
    url = urlsplit(job["url"])
    deliveries: list[dict[str, Any]] = job["deliveries"]
    senders, rate = int(job["senders"]), float(job["rate"])
    answers: list[dict[str, Any] | None] = [None] * len(deliveries)
    queue = iter(range(len(deliveries)))
    queue_lock = threading.Lock()
    began: list[float] = []
    start = threading.Barrier(senders + 1, action=lambda: began.append(time.perf_counter()))

    def sender() -> None:
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        start.wait()
        while True:
            with queue_lock:
                i = next(queue, None)
            if i is None:
                connection.close()
                return
            if rate:
                time.sleep(max(0.0, began[0] + i / rate - time.perf_counter()))
            answers[i], connection = post(connection, url.path, deliveries[i])

    threads = [threading.Thread(target=sender, name=f"sender-{n}") for n in range(senders)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    return [a for a in answers if a is not None], time.perf_counter() - began[0]


def post(
    connection: http.client.HTTPConnection, path: str, d: dict[str, Any]
) -> tuple[dict[str, Any], http.client.HTTPConnection]:
    body = d["body"].encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": d["topic"],
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": d["topic"].partition(".")[2],
        "X-WC-Webhook-Signature": d["signature"],
        "X-WC-Webhook-Delivery-ID": d["delivery_id"],
    }
    began = time.perf_counter()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()  # reconnects on the next request
        return {"status": 0, "kept": type(exc).__name__, "seconds": time.perf_counter() - began}, (
            connection
        )
    seconds = time.perf_counter() - began
    try:
        parsed = json.loads(data)
        kept = str(parsed.get("status") or parsed.get("error"))
    except (ValueError, AttributeError):
        kept = "not JSON"
    return {"status": response.status, "kept": kept, "seconds": seconds}, connection


def main() -> int:
    job_path, out_path = sys.argv[1], sys.argv[2]
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    answers, seconds = send_all(job)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"answers": answers, "seconds": seconds}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
