"""``open_audit``: a file path opens the SQLite log; a URL names a backend not there yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from wooodoo.audit import AuditStore, open_audit
from wooodoo.errors import EXIT_USAGE, ConfigError


@pytest.mark.parametrize("as_text", [False, True], ids=["path", "text"])
def test_a_file_path_opens_the_sqlite_log(tmp_path: Path, as_text: bool) -> None:
    path = tmp_path / "state" / "audit.sqlite3"
    with open_audit(str(path) if as_text else path) as log:
        assert isinstance(log, AuditStore)
        assert log.runs() == []
    assert path.is_file()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://wooodoo:s3cret@db.example.com/audit",
        "postgres://db.example.com/audit",
        "sqlite:///var/lib/wooodoo/audit.sqlite3",
    ],
    ids=["postgresql", "postgres", "sqlite-url"],
)
def test_a_url_is_refused_clearly_and_without_its_password(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        open_audit(url)
    scheme = url.split(":", 1)[0]
    assert info.value.message.startswith(f"audit_db: {scheme}:// is not supported yet")
    assert info.value.hint
    assert "file path" in info.value.hint
    assert info.value.exit_code == EXIT_USAGE
    assert "s3cret" not in str(info.value)
    assert list(tmp_path.iterdir()) == []
