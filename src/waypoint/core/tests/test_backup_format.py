"""The encrypted backup file (core/backup.py, docs/BACKUP.md): segments sealed with
AES-256-GCM, every edit, reordering and truncation caught, a wrong key told apart, memory
bounded by the segment size, the key's three sources, and the manifest's refusals. No
database: the database side is tested through the command line in tests/test_backup.py."""

from __future__ import annotations

import io
import os
import stat
import struct
import tracemalloc

import pytest

from waypoint.core import backup as bk

KEY = b"k" * 40
SEG = 1024
HEADER = bk._HEADER.size
WHOLE = SEG + bk.TAG_BYTES
MANIFEST = {"format": bk.FORMAT_VERSION, "vendor": "sqlite", "schema": {}}


def seal(payload: bytes, key: bytes = KEY, seg: int = SEG, manifest=None) -> bytes:
    out = io.BytesIO()
    bk.write_sealed(key, manifest or MANIFEST, io.BytesIO(payload), out, seg)
    return out.getvalue()


def unseal(data: bytes, key: bytes = KEY) -> tuple[dict, bytes]:
    manifest, blocks = bk.open_sealed(io.BytesIO(data), key)
    return manifest, b"".join(blocks)


def refusal(data: bytes, key: bytes = KEY) -> str:
    with pytest.raises(bk.BackupError) as caught:
        unseal(data, key)
    return caught.value.code


def manifest_bytes(manifest=None) -> int:
    import json

    return 4 + len(json.dumps(manifest or MANIFEST, sort_keys=True).encode())


@pytest.mark.parametrize(
    "size",
    [0, 1, SEG - manifest_bytes(), SEG - manifest_bytes() + 1, 5 * SEG - manifest_bytes(), 12345],
)
def test_round_trip_across_segment_boundaries(size):
    payload = os.urandom(size)
    data = seal(payload)
    plain = manifest_bytes() + size
    segments = max(1, -(-plain // SEG))  # the last one never empty unless all is
    assert len(data) == HEADER + plain + segments * bk.TAG_BYTES
    assert unseal(data) == (MANIFEST, payload)
    assert b'"vendor"' not in data  # nothing in the clear
    if size >= 32:
        assert payload[:32] not in data


def test_each_file_has_its_own_salt_and_ciphertext():
    payload = b"same database" * 200
    a, b = seal(payload), seal(payload)
    assert a[HEADER:] != b[HEADER:]
    assert unseal(a)[1] == unseal(b)[1] == payload


def test_every_flipped_byte_is_refused():
    data = seal(os.urandom(3 * SEG))
    for position in range(len(data)):  # header, every segment's body and its tag
        edited = bytearray(data)
        edited[position] ^= 0x01
        code = refusal(bytes(edited))
        if position >= HEADER:
            assert code == "backup_damaged", position
        else:
            assert code in {
                "backup_not_waypoint",
                "backup_format_unknown",
                "backup_damaged",
                "backup_wrong_key",
            }, (position, code)


def test_truncation_is_refused_at_a_boundary_and_inside_a_segment():
    data = seal(os.urandom(3 * SEG))
    for cut in (HEADER + WHOLE, HEADER + 2 * WHOLE, HEADER + 3 * WHOLE):
        assert refusal(data[:cut]) == "backup_truncated", cut  # whole segments, no final one
    for cut in (HEADER + 10, HEADER + WHOLE + 100, len(data) - 1):
        assert refusal(data[:cut]) == "backup_damaged", cut
    assert refusal(data[:HEADER]) == "backup_damaged"  # no segment at all
    assert refusal(data[: HEADER - 5]) == "backup_truncated"
    # Something appended after the final segment: the final one is then not read as final.
    assert refusal(data + os.urandom(20)) == "backup_damaged"


def test_reordered_dropped_and_foreign_segments_are_refused():
    data = seal(os.urandom(4 * SEG))
    head, body = data[:HEADER], data[HEADER:]
    seg = [body[i : i + WHOLE] for i in range(0, len(body), WHOLE)]
    assert len(seg) == 5
    assert refusal(head + seg[0] + seg[2] + seg[1] + seg[3] + seg[4]) == "backup_damaged"
    assert refusal(head + seg[0] + seg[1] + seg[3] + seg[4]) == "backup_damaged"
    assert refusal(head + seg[0] + seg[1] + seg[1] + seg[3] + seg[4]) == "backup_damaged"
    other = seal(os.urandom(4 * SEG))[HEADER:]
    assert refusal(head + seg[0] + other[WHOLE : 2 * WHOLE] + b"".join(seg[2:])) == (
        "backup_damaged"
    )


def test_wrong_key_is_named_as_such():
    data = seal(b"x" * 100)
    assert refusal(data, key=b"q" * 40) == "backup_wrong_key"


def test_plaintext_and_foreign_files_are_refused_with_their_own_codes():
    assert refusal(b"SQLite format 3\x00" + b"\x00" * 200) == "backup_plaintext"
    assert refusal(b"PGDMP\x01\x0e" + b"\x00" * 200) == "backup_plaintext"
    assert refusal(b"patient,mrn\nAna,0000001\n" * 10) == "backup_not_waypoint"
    assert refusal(b"") == "backup_not_waypoint"
    future = bytearray(seal(b"x"))
    struct.pack_into(">H", future, len(bk.MAGIC), bk.FORMAT_VERSION + 1)
    assert refusal(bytes(future)) == "backup_format_unknown"


class CountingReader:
    """A file that remembers the largest read asked of it."""

    def __init__(self, f) -> None:
        self.f = f
        self.largest = 0

    def read(self, n=-1):
        assert n is not None and n >= 0, "never reads the whole file"
        self.largest = max(self.largest, n)
        return self.f.read(n)


def test_memory_stays_within_a_few_segments(tmp_path):
    """8 MiB through 16 KiB segments, file to file: both directions read one segment at a
    time and keep at most two in memory, whatever the size of the database."""
    seg = 16 << 10
    size = 8 << 20
    (tmp_path / "db").write_bytes(os.urandom(size))
    tracemalloc.start()
    try:
        with (tmp_path / "db").open("rb") as f, (tmp_path / "sealed").open("wb") as out:
            src = CountingReader(f)
            writer = bk.write_sealed(KEY, MANIFEST, src, out, seg)
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        total = 0
        with (tmp_path / "sealed").open("rb") as f:
            sealed = CountingReader(f)
            manifest, blocks = bk.open_sealed(sealed, KEY)
            for block in blocks:
                assert len(block) <= seg
                total += len(block)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert writer.segments == -(-(size + manifest_bytes()) // seg) > 500
    assert total == size and manifest == MANIFEST
    assert src.largest == seg and sealed.largest == seg + bk.TAG_BYTES
    assert write_peak < 8 * seg, write_peak
    assert read_peak < 8 * seg, read_peak


def test_segment_size_is_bounded():
    with pytest.raises(bk.BackupError) as caught:
        seal(b"x", seg=bk.MIN_SEGMENT_SIZE - 1)
    assert caught.value.code == "invalid_segment_size"
    assert unseal(seal(b"x" * 3000, seg=bk.MIN_SEGMENT_SIZE))[1] == b"x" * 3000


# --- the key ---------------------------------------------------------------------------


@pytest.fixture
def no_key_env(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("WAYPOINT_BACKUP_KEY", raising=False)
    monkeypatch.delenv("WAYPOINT_BACKUP_KEY_FILE", raising=False)
    settings.VAR_DIR = tmp_path / "var"
    return tmp_path / "var" / "backup_key"


def test_key_from_the_environment_first(no_key_env, monkeypatch, tmp_path):
    keyfile = tmp_path / "elsewhere"
    keyfile.write_text("f" * 40 + "\n")
    monkeypatch.setenv("WAYPOINT_BACKUP_KEY_FILE", str(keyfile))
    assert bk.load_backup_key() == b"f" * 40
    monkeypatch.setenv("WAYPOINT_BACKUP_KEY", "e" * 40)
    assert bk.load_backup_key() == b"e" * 40


def test_default_key_file_is_made_for_a_backup_only(no_key_env, capsys):
    with pytest.raises(bk.BackupError) as caught:
        bk.load_backup_key()  # a restore never makes a key
    assert caught.value.code == "backup_key_missing"
    assert not no_key_env.exists()
    key = bk.load_backup_key(create=True)
    assert len(key) >= bk.MIN_KEY_CHARS
    assert stat.S_IMODE(no_key_env.stat().st_mode) == 0o600
    assert "keep a copy" in capsys.readouterr().err.lower()
    assert bk.load_backup_key() == key  # the same key from then on
    assert bk.load_backup_key(create=True) == key
    assert capsys.readouterr().err == ""  # told once


def test_a_named_key_file_is_never_made(no_key_env, monkeypatch, tmp_path):
    monkeypatch.setenv("WAYPOINT_BACKUP_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(bk.BackupError) as caught:
        bk.load_backup_key(create=True)
    assert caught.value.code == "backup_key_missing"
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("text", ["", "short", "x" * (bk.MIN_KEY_CHARS - 1)])
def test_a_short_key_is_refused(no_key_env, monkeypatch, text):
    monkeypatch.setenv("WAYPOINT_BACKUP_KEY", text)
    if not text:  # empty: the variable counts as unset, and there is no file
        monkeypatch.delenv("WAYPOINT_BACKUP_KEY")
    with pytest.raises(bk.BackupError) as caught:
        bk.load_backup_key()
    assert caught.value.code == ("backup_key_missing" if not text else "backup_key_invalid")
    monkeypatch.setenv("WAYPOINT_BACKUP_KEY", "x" * bk.MIN_KEY_CHARS)
    assert bk.load_backup_key() == b"x" * bk.MIN_KEY_CHARS


# --- the manifest ------------------------------------------------------------------------


def _current_schema() -> dict[str, str]:
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return dict(sorted(graph.leaf_nodes()))


def test_manifest_of_this_schema_or_an_older_one_is_accepted(settings):
    schema = _current_schema()
    vendor = bk._vendor()
    bk.check_manifest({"vendor": vendor, "schema": schema})
    older = dict(schema, audit="0001_initial")
    bk.check_manifest({"vendor": vendor, "schema": older})


def test_manifest_of_a_newer_schema_is_refused():
    schema = dict(_current_schema(), audit="0099_from_the_future")
    with pytest.raises(bk.BackupError) as caught:
        bk.check_manifest(
            {"vendor": bk._vendor(), "schema": schema, "waypoint_version": "9.0.0"}, "b.bak"
        )
    assert caught.value.code == "backup_schema_newer"
    assert "audit.0099_from_the_future" in caught.value.message
    assert "9.0.0" in caught.value.message and "install" in caught.value.message
    app_unknown = dict(_current_schema(), telehealth="0001_initial")
    with pytest.raises(bk.BackupError) as caught:
        bk.check_manifest({"vendor": bk._vendor(), "schema": app_unknown})
    assert caught.value.code == "backup_schema_newer"


def test_manifest_of_another_vendor_is_refused():
    other = "postgresql" if bk._vendor() == "sqlite" else "sqlite"
    with pytest.raises(bk.BackupError) as caught:
        bk.check_manifest({"vendor": other, "schema": _current_schema()})
    assert caught.value.code == "backup_other_vendor"
