"""A cheap Argon2 for tests: the same algorithm as production, tiny cost parameters.

Production hashes cost about 100 MB and tens of milliseconds each on purpose; the test
fixtures create a handful of users per test, which made password hashing most of the
suite's time.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8
    parallelism = 1
