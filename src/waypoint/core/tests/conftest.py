"""Fast password hashing for these tests: the conftest fixtures create a dozen staff accounts
per test, and Argon2 (100 MB, on purpose slow) would make that take seconds. The Argon2
configuration itself is tested in core/tests/test_security.py."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
