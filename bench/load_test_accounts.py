"""Who the load test's sessions sign in as: one tenant admin account per session.

Without a database URL the sessions use the demo's tenant admins (`licensing demo`:
acme-admin, globex-admin, initech-admin, password demo-password), in turn. With one,
each session gets an account of its own, `load-NNN-<tenant>`, a tenant admin of the
tenants in id order (the benchmark's t0000 is its largest tenant, t0001 the next), in
turn when there are fewer tenants than sessions. They are created through the account
service, the way `licensing account create` does, and reused by later runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from licensing_core.auth.accounts import create_account, list_accounts
from licensing_core.db.engine import Database
from licensing_core.demo import DEMO_PASSWORD
from licensing_core.services.tenants import list_tenant_ids

DEMO_ADMINS = ("acme-admin", "globex-admin", "initech-admin")
# Published on purpose, like the demo's: these accounts belong to benchmark databases.
LOAD_PASSWORD = "load-test password, not a secret"
ACTOR = "load_test"


@dataclass(frozen=True)
class Account:
    username: str
    password: str


def demo_accounts(sessions: int) -> list[Account]:
    return [Account(DEMO_ADMINS[i % len(DEMO_ADMINS)], DEMO_PASSWORD) for i in range(sessions)]


def load_username(index: int, tenant_id: str) -> str:
    return f"load-{index + 1:03d}-{tenant_id}"


def ensure_accounts(url: str, sessions: int) -> list[Account]:
    """One tenant admin account per session in the database at `url`, created if missing."""
    db = Database(url)
    try:
        tenants = list_tenant_ids(db)
        if not tenants:
            raise SystemExit(f"{db.safe_url} holds no tenant: nobody to sign in as")
        existing = {a.username for a in list_accounts(db)}
        accounts = []
        for index in range(sessions):
            tenant_id = tenants[index % len(tenants)]
            username = load_username(index, tenant_id)
            if username not in existing:
                create_account(db, username=username, role="tenant_admin", tenant_id=tenant_id,
                               email=f"{username}@load-test.example", password=LOAD_PASSWORD,
                               actor=ACTOR)
            accounts.append(Account(username, LOAD_PASSWORD))
        return accounts
    finally:
        db.dispose()
