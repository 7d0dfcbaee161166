"""Where the audit key comes from (core/keys.py): the variable, else the file it names,
else var/audit_key, made on first use with mode 0600."""

from __future__ import annotations

import stat
import threading

import pytest

from waypoint.core import keys

LONG = "k" * 40


@pytest.fixture
def no_key(monkeypatch, settings, tmp_path):
    monkeypatch.delenv(keys.ENV_KEY, raising=False)
    monkeypatch.delenv(keys.ENV_KEY_FILE, raising=False)
    settings.VAR_DIR = tmp_path / "var"
    keys.forget_cached_keys()
    yield tmp_path / "var"
    keys.forget_cached_keys()


def test_the_variable_comes_first(no_key, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("f" * 40)
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(tmp_path / "file"))
    monkeypatch.setenv(keys.ENV_KEY, LONG)
    assert keys.audit_key().secret == LONG.encode()
    assert keys.audit_key().source == keys.ENV_KEY


def test_then_the_file_named(no_key, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("f" * 40 + "\n")
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(tmp_path / "file"))
    assert keys.audit_key().secret == b"f" * 40
    assert not no_key.exists()


def test_a_file_named_but_missing_is_an_error_not_a_new_key(no_key, monkeypatch, tmp_path):
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(tmp_path / "absent"))
    with pytest.raises(keys.AuditKeyError, match="does not exist"):
        keys.audit_key()
    assert not (tmp_path / "absent").exists()


def test_a_short_key_is_refused(no_key, monkeypatch):
    monkeypatch.setenv(keys.ENV_KEY, "short")
    with pytest.raises(keys.AuditKeyError, match="too short"):
        keys.audit_key()


def test_var_audit_key_is_made_on_first_use(no_key, capsys):
    with pytest.raises(keys.AuditKeyError):
        keys.audit_key(create=False)
    assert not no_key.exists()
    first = keys.audit_key()
    path = no_key / "audit_key"
    assert first.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(no_key.stat().st_mode) == 0o700
    assert "created the audit key" in capsys.readouterr().err
    keys.forget_cached_keys()
    assert keys.audit_key().secret == first.secret  # read back, not made again
    assert capsys.readouterr().err == ""
    assert len(first.secret) >= keys.MIN_LENGTH
    assert first.key_id != keys.AuditKey(b"x" * 40, "other").key_id


def test_two_first_uses_at_once_agree_on_one_key(no_key):
    results: list[bytes] = []

    def use() -> None:
        keys.forget_cached_keys()
        results.append(keys.audit_key().secret)

    threads = [threading.Thread(target=use) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert [p.name for p in no_key.iterdir()] == ["audit_key"]
