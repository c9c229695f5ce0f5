"""``wooodoo webhook register`` and ``list`` against the sandbox store over HTTPS on loopback.

The store's hooks are read back from the sandbox itself; the secret register makes is read
from the in-memory keyring every test gets (tests/conftest.py), and never from the output.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from click.testing import CliRunner, Result
from keyring.backends import fail
from keyring.errors import KeyringError

from tests.conftest import MemoryKeyring
from tests.webhook.test_e2e import new_order, posted_invoices, wait_for
from wooodoo.cli import main
from wooodoo.cli.group import CliState
from wooodoo.config import load_config
from wooodoo.errors import EXIT_OK, EXIT_REMOTE, EXIT_USAGE
from wooodoo.sandbox import Sandbox
from wooodoo.sandbox.woo.webhooks import Webhook
from wooodoo.secrets import SERVICE, env_var_name
from wooodoo.webhook.serve import WebhookServer
from wooodoo.woo.webhooks import TOPICS

TENANT = "sandbox"
SECRET_USER = f"{TENANT}/webhook_secret"
RECEIVER = f"https://hooks.example.test/webhooks/{TENANT}"


@dataclass
class Shop:
    """A running sandbox, its config, and the CLI pointed at it."""

    sb: Sandbox
    config: Path
    keyring: MemoryKeyring

    def run(self, *args: str) -> Result:
        """``wooodoo --config ... webhook ARGS``; no secret of the store's hooks in the output."""
        result = CliRunner().invoke(main, ["--config", str(self.config), "webhook", *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        secrets = [h.secret for h in self.hooks()] + list(self.sb.secrets.__dict__.values())
        for secret in [*secrets, self.stored()]:
            assert secret is None or secret not in result.output
        return result

    def register(self, url: str = RECEIVER) -> Result:
        return self.run("register", "--tenant", TENANT, "--url", url)

    def hooks(self) -> list[Webhook]:
        return sorted(self.sb.woo_app.webhooks.all(), key=lambda h: h.id)

    def stored(self) -> str | None:
        return self.keyring.get_password(SERVICE, SECRET_USER)


def open_shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring, **kw: Any
) -> Iterator[Shop]:
    kw.setdefault("woo_key_permissions", "read_write")
    with Sandbox(orders=5, seed=8, directory=tmp_path, **kw) as sb:
        config, _ = sb.write_config(tmp_path / "config.yaml")
        for name, value in sb.secret_env().items():
            monkeypatch.setenv(name, value)
        # register stores the secret in the keyring, which this variable would override
        monkeypatch.delenv(env_var_name(TENANT, "webhook_secret"))
        yield Shop(sb, config, memory_keyring)


@pytest.fixture
def shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> Iterator[Shop]:
    yield from open_shop(tmp_path, monkeypatch, memory_keyring)


@pytest.fixture
def read_only_shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> Iterator[Shop]:
    yield from open_shop(tmp_path, monkeypatch, memory_keyring, woo_key_permissions="read")


# --- register ---------------------------------------------------------------------------------


def test_register_creates_the_four_hooks_and_stores_their_secret(shop: Shop) -> None:
    result = shop.register()

    assert result.exit_code == EXIT_OK, result.output
    hooks = shop.hooks()
    assert [h.topic for h in hooks] == list(TOPICS)
    assert {(h.delivery_url, h.status) for h in hooks} == {(RECEIVER, "active")}
    secret = shop.stored()
    assert secret is not None
    assert len(secret) >= 40
    assert {h.secret for h in hooks} == {secret}
    assert [h.name for h in hooks] == [f"wooodoo/{TENANT} {t}" for t in TOPICS]
    lines = result.stdout.splitlines()
    assert lines[:4] == [f"created hook {h.id} ({h.topic}, active) -> {RECEIVER}" for h in hooks]
    assert lines[4].startswith(f"stored the new webhook_secret of tenant '{TENANT}' in the keyring")
    assert "restart `wooodoo webhook serve`" in lines[5]
    assert result.stderr == ""
    pings = [d for d in shop.sb.woo_app.webhooks.deliveries if d.topic == "ping"]
    assert sorted(d.webhook_id for d in pings) == [h.id for h in hooks]  # the store pinged each


def test_register_again_updates_the_same_hooks_with_a_new_secret(shop: Shop) -> None:
    assert shop.register().exit_code == EXIT_OK
    first = shop.stored()
    before = shop.hooks()
    before[1].status = "disabled"  # the store gave up on it: register turns it back on

    result = shop.register(RECEIVER + "/")  # the same URL, written differently

    assert result.exit_code == EXIT_OK, result.output
    after = shop.hooks()
    assert [(h.id, h.topic, h.delivery_url, h.status) for h in after] == [
        (h.id, h.topic, RECEIVER, "active") for h in before
    ]
    second = shop.stored()
    assert second is not None
    assert second != first
    assert {h.secret for h in after} == {second}
    assert [line.split(" (")[0] for line in result.stdout.splitlines()[:4]] == [
        f"updated hook {h.id}" for h in before
    ]


def test_a_lost_answer_to_a_create_adopts_the_hook_instead_of_making_a_twin(shop: Shop) -> None:
    real = shop.sb.woo_faults.app

    def lose_post_answers(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["REQUEST_METHOD"] != "POST":
            return real(environ, start_response)
        b"".join(real(environ, lambda *a: None))  # the store does the work...
        start_response("502 Bad Gateway", [("Content-Type", "text/html")])
        return [b"<html><body>Bad Gateway</body></html>"]  # ...and the answer is lost

    shop.sb.woo_faults.app = lose_post_answers
    result = shop.register()

    assert result.exit_code == EXIT_OK, result.output
    hooks = shop.hooks()
    assert [h.topic for h in hooks] == list(TOPICS)
    assert {h.secret for h in hooks} == {shop.stored()}


def test_a_read_only_key_is_told_how_to_go_on_and_nothing_changes(read_only_shop: Shop) -> None:
    result = read_only_shop.register()

    assert result.exit_code == EXIT_REMOTE, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"error: the WooCommerce key of tenant {TENANT} may read but not write webhooks; "
        "nothing was changed\n"
    )
    assert "does not have write permissions" in result.stderr  # the store's own words
    hint = result.stderr.split("hint: ", 1)[1].replace("\n", " ")
    assert "Read/Write permission" in hint
    assert "WooCommerce → Settings → Advanced → Webhooks → Add webhook" in hint
    assert all(topic in hint for topic in TOPICS)
    assert f"delivery URL {RECEIVER}" in hint
    assert f"`wooodoo secrets set --tenant {TENANT} webhook_secret`" in hint
    assert read_only_shop.hooks() == []
    assert read_only_shop.stored() is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://example.com/webhooks/sandbox", "must use https (only loopback may use http)"),
        ("https://user:pw@hooks.example.test/webhooks/sandbox", "must not contain user info"),
        ("hooks.example.test/webhooks/sandbox", "must start with https://"),
    ],
    ids=["plain-http", "user-info", "no-scheme"],
)
def test_a_bad_url_is_a_usage_error_before_any_request(shop: Shop, url: str, why: str) -> None:
    result = shop.register(url)

    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.splitlines()[0].startswith(f"error: --url {url}: {why}")
    assert shop.sb.woo_requests() == 0
    assert shop.stored() is None


def test_a_path_the_receiver_does_not_serve_is_a_warning(shop: Shop) -> None:
    result = shop.register("https://hooks.example.test/hooks")
    assert result.exit_code == EXIT_OK, result.output
    assert result.stderr.startswith(
        f"warning: the receiver takes tenant {TENANT}'s deliveries at /webhooks/{TENANT}"
    )


def test_an_environment_secret_would_win_so_nothing_is_written(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_var = env_var_name(TENANT, "webhook_secret")
    monkeypatch.setenv(env_var, "an-older-secret")

    result = shop.register()

    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith(f"error: {env_var} is set: the receiver would go on using it")
    assert shop.hooks() == []
    assert shop.stored() is None


def test_the_secret_can_go_to_an_env_file_for_systemd_or_cron(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / "env"
    env_var = env_var_name(TENANT, "webhook_secret")
    env_file.write_text(f"WOOODOO_OTHER=1\nexport {env_var}=an-older-secret\n")
    monkeypatch.setenv(env_var, "an-older-secret")  # as the service has it: the file wins next

    result = shop.run(
        "register", "--tenant", TENANT, "--url", RECEIVER, "--env-file", str(env_file)
    )

    assert result.exit_code == EXIT_OK, result.output
    lines = env_file.read_text().splitlines()
    assert lines[0] == "WOOODOO_OTHER=1"
    [line] = [ln for ln in lines if env_var in ln]
    secret = line.split("=", 1)[1]
    assert {h.secret for h in shop.hooks()} == {secret}
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    assert secret not in result.output
    assert shop.stored() is None  # the keyring is left alone


def test_an_unusable_keyring_is_found_before_any_write(shop: Shop) -> None:
    keyring.set_keyring(fail.Keyring())

    result = shop.register()

    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith("error: the new webhook_secret could not be stored: ")
    assert "nothing was changed" in result.stderr.splitlines()[0]
    assert shop.hooks() == []


def test_a_secret_the_keyring_refuses_after_the_writes_says_to_run_register_again(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(service: str, username: str, password: str) -> None:
        raise KeyringError("the collection is locked")

    monkeypatch.setattr(shop.keyring, "set_password", refuse)

    result = shop.register()

    assert result.exit_code == EXIT_USAGE, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "error: the store's hooks now carry a new secret that could not be stored: "
    )
    assert lines[1:5] == [f"  - hook {h.id} ({h.topic}) carries it" for h in shop.hooks()]
    hint = " ".join(lines[5:])
    assert "the receiver refuses these hooks' deliveries (401)" in hint
    assert f"`wooodoo webhook register --tenant {TENANT} --url URL` again" in hint
    assert len(shop.hooks()) == 4
    assert shop.stored() is None
    assert shop.hooks()[0].secret not in result.output


# --- list -------------------------------------------------------------------------------------


def test_list_shows_the_hooks_and_warns_about_what_will_not_deliver(shop: Shop) -> None:
    assert shop.register().exit_code == EXIT_OK
    hooks = shop.hooks()
    hooks[2].status = "disabled"
    hooks[3].status = "paused"
    other = "https://old.example.test/webhooks/sandbox?token=abc"
    shop.sb.woo_app.webhooks.create(
        name="old", topic="order.updated", delivery_url=other, secret="s3cr3t-old"
    )
    shop.sb.woo_app.webhooks.create(
        name="not ours", topic="product.updated", delivery_url=other, secret="s3cr3t-other"
    )

    result = shop.run("list", "--tenant", TENANT)

    assert result.exit_code == EXIT_OK, result.output
    shown = "https://old.example.test/webhooks/sandbox?token=REDACTED"
    statuses = ["active", "active", "disabled", "paused", "active", "active"]
    topics = [*TOPICS, "order.updated", "product.updated"]
    urls = [RECEIVER] * 4 + [shown] * 2
    assert result.stdout.splitlines() == [
        f"{n} {topic} {status} {url}"
        for n, topic, status, url in zip(range(1, 7), topics, statuses, urls, strict=True)
    ]
    warnings = result.stderr.splitlines()
    assert warnings[0].startswith("warning: hook 3 (customer.created) is disabled: the store ")
    assert warnings[1] == (
        "warning: hook 4 (customer.updated) is paused: the store does not deliver it; register"
        " with its URL turns it back on"
    )
    assert warnings[2].startswith(
        f"warning: hook 5 (order.updated) delivers to {shown}, not to {RECEIVER} like the other"
    )
    assert len(warnings) == 3
    assert "abc" not in result.output


def test_list_names_the_receiver_url_when_given_it(shop: Shop) -> None:
    assert shop.register().exit_code == EXIT_OK
    moved = "https://new.example.test/webhooks/sandbox"

    result = shop.run("list", "-t", TENANT, "--url", moved)

    assert result.exit_code == EXIT_OK
    warnings = result.stderr.splitlines()
    assert len(warnings) == 4
    assert warnings[0] == (
        f"warning: hook 1 (order.created) delivers to {RECEIVER}, not to {moved} (the "
        "receiver's): delete it in WooCommerce → Settings → Advanced → Webhooks if it is an old one"
    )


def test_list_works_with_a_read_key_and_warns_when_there_is_nothing(read_only_shop: Shop) -> None:
    result = read_only_shop.run("list", "--tenant", TENANT)
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "warning: no hook for wooodoo's topics (order.created, order.updated, customer.created,"
        " customer.updated): register creates them\n"
    )


def test_list_quiet_prints_only_the_warnings(shop: Shop) -> None:
    assert shop.register().exit_code == EXIT_OK
    assert shop.run("-q", "list", "--tenant", TENANT).output == ""
    shop.hooks()[0].status = "disabled"
    result = shop.run("list", "-q", "--tenant", TENANT)
    assert result.exit_code == EXIT_OK
    assert result.stdout == ""
    assert result.stderr.startswith("warning: hook 1 (order.created) is disabled")


def test_list_on_a_terminal_is_a_table(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    assert shop.register().exit_code == EXIT_OK
    monkeypatch.setattr(CliState, "interactive", property(lambda self: True))

    result = shop.run("list", "--tenant", TENANT)

    assert result.exit_code == EXIT_OK
    assert f"webhooks of {TENANT}" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "topic" in line)
    assert all(word in header for word in ("id", "topic", "status", "delivery URL"))
    assert result.stdout.count("customer.updated") == 1


# --- end to end -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_registered_hooks_turn_a_new_order_into_a_posted_invoice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    shops = open_shop(tmp_path, monkeypatch, memory_keyring, deliver_webhooks=True)
    shop = next(shops)
    port = free_port()  # the receiver reads the secret when it starts: register first
    assert shop.register(f"http://127.0.0.1:{port}/webhooks/{TENANT}").exit_code == EXIT_OK
    config = load_config(shop.config)
    server = WebhookServer(config, list(config.tenants.values()), port=port, interval=1.0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        order_id = new_order(shop.sb)
        invoices = wait_for(
            lambda: [m for m in posted_invoices(shop.sb, order_id) if m["state"] == "posted"]
        )
        assert len(invoices) == 1
        created = [d for d in shop.sb.woo_app.webhooks.deliveries if d.topic == "order.created"]
        assert [d.response_code for d in created] == [200]
    finally:
        server.stop()
        thread.join(10)
        shops.close()
    assert not thread.is_alive()
