import pytest

from licensing_core.domain.emails import (
    alert_recipients,
    email_problem,
    email_problems,
    validated_emails,
)
from licensing_core.errors import Refused


@pytest.mark.parametrize("address", ["ops@acme.com", "Ann.Lee+billing@mail.acme.co.uk"])
def test_ordinary_addresses_are_valid(address):
    assert email_problem(address) is None


@pytest.mark.parametrize("address", ["ops", "ops@acme", "a b@acme.com", "ops@@acme.com",
                                     "ops@acme..com", "@acme.com", "ops@-acme.com"])
def test_malformed_addresses_are_named_as_invalid(address):
    assert "not a valid email address" in (email_problem(address) or "")


def test_one_invalid_address_refuses_the_whole_list_and_names_each_bad_one():
    with pytest.raises(Refused) as refused:
        validated_emails(["ok@acme.com", "bad", "worse@"], "technical email")
    assert "'bad'" in str(refused.value) and "'worse@'" in str(refused.value)


def test_valid_lists_are_lower_cased_and_deduplicated():
    assert validated_emails(["Ops@Acme.com", "ops@acme.com ", ""], "billing email") == [
        "ops@acme.com"]


def test_alert_recipients_merge_groups_without_duplicates():
    assert alert_recipients(["Tech@acme.com"], ["bill@acme.com", "tech@ACME.com"],
                            ["admin@acme.com", "Bill@acme.com"]) == [
        "tech@acme.com", "bill@acme.com", "admin@acme.com"]


def test_the_forms_name_the_problems_the_service_refuses():
    # The contacts and Create tenant forms show email_problems under each field before
    # saving; the service refuses with validated_emails: one rule, so they cannot differ
    # (a blank line is no address for either).
    typed = ["ok@acme.com", "", "  ", "bad", "worse@"]
    shown = email_problems(typed)
    assert shown == ["'bad' is not a valid email address",
                     "'worse@' is not a valid email address"]
    with pytest.raises(Refused) as refused:
        validated_emails(typed, "technical email")
    assert str(refused.value) == "technical email: " + "; ".join(shown)
