"""The stored words: each read back as the word it always was, and each said in words on
the pages."""

from __future__ import annotations

import json

import pytest

from licensing_core.domain.kinds import (
    AlertKind,
    AuditAction,
    Delivery,
    LicenseType,
    RequestStatus,
    Role,
    TermState,
)
from licensing_core.ui import labels

LABELLED = [(Role, labels.role), (LicenseType, labels.license_type),
            (TermState, labels.term_state), (AlertKind, labels.alert_kind),
            (Delivery, labels.delivery), (RequestStatus, labels.request_status),
            (AuditAction, labels.audit_action)]


@pytest.mark.parametrize(("kind", "words"), LABELLED, ids=lambda k: getattr(k, "__name__", ""))
def test_every_member_has_its_own_words_on_the_pages(kind, words):
    maps = {labels.role: labels.ROLES, labels.license_type: labels.LICENSE_TYPES,
            labels.term_state: labels.TERM_STATES, labels.alert_kind: labels.ALERT_KINDS,
            labels.delivery: labels.DELIVERIES, labels.request_status: labels.REQUEST_STATUSES,
            labels.audit_action: labels.AUDIT_ACTIONS}
    assert set(maps[words]) == set(kind), "a member without a label, or a label of no member"
    for member in kind:
        assert words(member) == words(member.value)  # the member and its stored text alike


def test_a_member_prints_and_serialises_as_its_stored_word():
    # What the CLI's lines, the CSV cells, the audit log's JSON and the emails write.
    assert f"{LicenseType.SESSION:<9}|" == "session  |"
    assert str(AlertKind.RUN_OUT) == "run_out"
    assert json.dumps({"role": Role.TENANT_ADMIN}) == '{"role": "tenant_admin"}'
    assert f"{AlertKind.CONTRACT_END}:7:30" == "contract_end:7:30"


def test_the_forms_offer_the_license_types_session_first():
    assert [labels.license_type(k) for k in LicenseType] == ["Session-based", "User-based"]
