"""Which pages a person gets, by role: the only input of st.navigation.

Every page's URL differs from its file's name on purpose. Streamlit still treats a
`pages/` folder as an old-style multipage app until st.navigation has been called in the
process (and AppTest does so on every run): then a URL equal to a file's name would run
that file directly, without this entry. With distinct URLs such a request falls back to
the entry, which signs the person in and runs the page through st.navigation. (Every page
checks the signed-in person itself as well, so a direct run shows nothing.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from licensing_core.auth.permissions import Principal
from licensing_core.domain.kinds import LicenseType, Role
from licensing_core.services.requests import open_request_count
from licensing_core.ui import auth, context, data, resources

SIGN_IN_URL = "sign-in"


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str  # never the file's own name: see the module's docstring


SUBSCRIPTION = PageSpec("pages/subscription.py", "Subscription", ":material/badge:",
                        "tenant-subscription")
CONSUMPTION = PageSpec("pages/consumption_history.py", "Consumption History",
                       ":material/table_chart:", "consumption-history")
CONVERSATIONS = PageSpec("pages/conversation_history.py", "Conversation History",
                         ":material/forum:", "conversation-history")
PURCHASES = PageSpec("pages/purchase_history.py", "Purchase History",
                     ":material/shopping_cart:", "purchase-history")
ALERTS = PageSpec("pages/alerts.py", "Alerts", ":material/notifications:", "tenant-alerts")
AUDIT = PageSpec("pages/audit_log.py", "Audit log", ":material/history:", "audit-log")
TENANTS = PageSpec("pages/tenants.py", "Tenants", ":material/domain:", "all-tenants")
CREATE_TENANT = PageSpec("pages/create_tenant.py", "Create tenant", ":material/add_business:",
                         "create-tenant")
REFILL = PageSpec("pages/refill.py", "Record refill", ":material/add_shopping_cart:",
                  "record-refill")
NEW_TERM = PageSpec("pages/new_term.py", "New term", ":material/event_repeat:", "new-term")
IMPORT = PageSpec("pages/import_data.py", "Import", ":material/upload_file:", "import-data")
RISK = PageSpec("pages/risk.py", "Risk", ":material/crisis_alert:", "run-out-risk")
IDLE_SEATS = PageSpec("pages/idle_seats.py", "Idle seats", ":material/event_seat:",
                      "idle-user-seats")
ACCOUNTS = PageSpec("pages/accounts.py", "Accounts", ":material/manage_accounts:",
                    "dashboard-accounts")
REQUEST_LICENSES = PageSpec("pages/request_licenses.py", "Request licenses",
                            ":material/add_circle:", "ask-for-licenses")
REQUESTS = PageSpec("pages/requests.py", "Requests", ":material/inbox:", "license-requests")

TENANT_PAGES = (SUBSCRIPTION, CONSUMPTION, CONVERSATIONS, PURCHASES, IDLE_SEATS, ALERTS,
                REQUEST_LICENSES)
OPERATOR_PAGES = (TENANTS, REQUESTS, RISK, CREATE_TENANT, REFILL, NEW_TERM, IMPORT, ACCOUNTS,
                  AUDIT)
# Pages that apply to one license type only: for a tenant whose current term has another
# type they are not offered (still registered, hidden, so that a link to one opens the
# page itself, which says why it does not apply).
LICENSE_TYPE_PAGES = {IDLE_SEATS: LicenseType.USER}


def offered(spec: PageSpec, license_type: str | None) -> bool:
    """Whether the menu offers `spec` for a tenant whose current term is `license_type`
    (None: no tenant chosen, or it could not be read; every page is offered)."""
    only = LICENSE_TYPE_PAGES.get(spec)
    return only is None or license_type is None or license_type == only


def _pages(specs: tuple[PageSpec, ...], default: PageSpec | None,
           license_type: str | None = None) -> list[st.Page]:
    return [st.Page(s.path, title=s.title, icon=s.icon, url_path=s.url_path,
                    default=s == default,
                    visibility="visible" if offered(s, license_type) else "hidden")
            for s in specs]


def pages_for(principal: Principal | None,
              license_type: str | None = None) -> dict[str, list[st.Page]]:
    """The sections and pages of a role, for a tenant whose current term is `license_type`.

    Signed out: the sign-in page first, then every page, all hidden and none run, so that a
    deep link (?user_id=...) survives the sign-in form and opens after it; a plain visit
    lands on the role's own first page.
    """
    if principal is None:
        sign_in = st.Page(auth.sign_in_screen, title="Sign in", icon=":material/login:",
                          url_path=SIGN_IN_URL, default=True)
        return {"": [sign_in, *_pages((*TENANT_PAGES, *OPERATOR_PAGES), None)]}
    if principal.role == Role.SUPER_ADMIN:
        return {"Operator": _pages(operator_specs(principal), TENANTS),
                "Selected tenant": _pages(TENANT_PAGES, None, license_type)}
    if principal.role == Role.TENANT_ADMIN:
        return {"Subscription": _pages((*TENANT_PAGES, AUDIT), SUBSCRIPTION, license_type)}
    return {"Subscription": _pages(TENANT_PAGES, SUBSCRIPTION, license_type)}


def requests_title(open_count: int | None) -> str:
    """"Requests (2)": the super admins' queue says in the menu how many wait."""
    return f"{REQUESTS.title} ({open_count:,})" if open_count else REQUESTS.title


def operator_specs(principal: Principal) -> tuple[PageSpec, ...]:
    """The operator's pages, Requests titled with the open requests (one fresh count)."""
    try:
        count: int | None = open_request_count(resources.get_database(), principal=principal)
    except Exception:  # noqa: BLE001 - the menu still shows; the page says what failed
        count = None
    return tuple(replace(s, title=requests_title(count)) if s == REQUESTS else s
                 for s in OPERATOR_PAGES)


def current_license_type(principal: Principal | None) -> str | None:
    """The license type of the current term of the tenant this run shows, if any."""
    if principal is None:
        return None
    try:
        tenant_id = context.current_tenant(principal)
        if not tenant_id:
            return None
        return data.summary(context.TenantContext(principal, resources.get_database(),
                                                  tenant_id)).license_type
    except Exception:  # noqa: BLE001 - the page meets the same failure and says why
        return None  # (not allowed, no such tenant, database down, a bug with its reference)


def show(principal: Principal | None) -> st.Page:
    """st.navigation for this person: every page of the role listed, none behind a
    "View more" (an operator has more pages than Streamlit lists by default)."""
    return st.navigation(pages_for(principal, current_license_type(principal)),
                         position="sidebar" if principal else "hidden", expanded=True)
