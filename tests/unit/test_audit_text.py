"""The Audit log's changes in words: each field that changed, before → after."""

from licensing_core.ui.audit import change_text, changes


def test_a_changed_contact_reads_before_arrow_after_and_an_unchanged_one_is_left_out():
    before = {"technical_emails": ["a@x.test"], "billing_emails": ["bill@x.test"]}
    after = {"technical_emails": ["b@x.test", "c@x.test"], "billing_emails": ["bill@x.test"]}
    assert changes(before, after) == ["Technical Email: a@x.test → b@x.test, c@x.test"]


def test_an_emptied_list_and_a_removed_field_read_none():
    assert changes({"billing_emails": ["bill@x.test"], "note": "old"},
                   {"billing_emails": []}) == ["Billing Email: bill@x.test → (none)",
                                               "Note: old → (none)"]


def test_a_refill_reads_its_totals_grouped_and_its_quantity_signed():
    assert changes({"total_purchased": 12258},
                   {"total_purchased": 13484, "quantity": 1226, "note": "Q3", "term_id": 4}) == [
        "Total Purchase: 12,258 → 13,484", "Quantity: +1,226", "Note: Q3", "Term ID: 4"]


def test_a_new_record_reads_its_fields_in_words_and_skips_the_empty_ones():
    assert changes(None, {"license_type": "user", "start_date": "2026-09-01",
                          "end_date": "2027-08-31", "licenses": 1200, "session_minutes": None,
                          "term_id": 2}) == [
        "License Type: User-based", "Start Date: 2026-09-01", "End Date: 2027-08-31",
        "Licenses Bought: 1,200", "Term ID: 2"]
    assert changes(None, {"username": "ann", "role": "tenant_admin", "email": "a@x.test"}) == [
        "Username: ann", "Role: Tenant admin", "Email: a@x.test"]


def test_yes_no_for_a_flag_and_minutes_for_a_session_duration():
    assert changes({"disabled": False}, {"disabled": True}) == ["Disabled: No → Yes"]
    assert changes(None, {"session_minutes": 30}) == ["Session Duration: 30 minutes"]


def test_an_unknown_field_is_still_readable_and_nothing_changed_reads_empty():
    assert changes({"max_seats": 1}, {"max_seats": 2}) == ["Max seats: 1 → 2"]
    assert changes({"note": "same"}, {"note": "same"}) == []


def test_the_stored_json_texts_give_one_line():
    assert change_text('{"total_purchased": 8}',
                       '{"note": "first refill", "quantity": 2, "total_purchased": 10}') == (
        "Total Purchase: 8 → 10; Quantity: +2; Note: first refill")
    assert change_text("", "") == ""


def test_thresholds_and_a_license_request_read_in_words():
    assert changes({"thresholds": [75, 85, 95, 100]}, {"thresholds": [50, 75, 100]}) == [
        "Alert Thresholds: 75%, 85%, 95%, 100% → 50%, 75%, 100%"]
    assert changes({"request_id": 7, "status": "open"},
                   {"request_id": 7, "status": "approved", "refill_quantity": 40}) == [
        "Request: #7", "Status: Open → Approved", "Refill Quantity: +40"]  # which request
