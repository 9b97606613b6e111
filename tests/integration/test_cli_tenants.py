"""The operator's commands: exit 0 when done, 2 with a reason on stderr when refused."""

import json

import pytest

CREATE = ["tenant", "create", "acme", "--name", "Acme Corp", "--license-type", "session",
          "--licenses", "100", "--start", "2026-01-01", "--end", "2026-12-31",
          "--session-minutes", "20", "--timezone", "Europe/Paris",
          "--technical-email", "Ops@Acme.com", "--billing-email", "bill@acme.com"]


def show(cli) -> dict:
    status, out, _ = cli("tenant", "show", "acme", "--json")
    assert status == 0
    return json.loads(out)


def test_db_upgrade_creates_the_schema(cli):
    assert cli("db", "upgrade")[:2] == (0, "database schema is up to date\n")


def test_tenant_create_then_show_json_gives_the_spec_keys(cli):
    assert cli(*CREATE)[0] == 0
    shown = show(cli)
    assert set(shown) == {"tenant_id", "name", "license_type", "start_date", "end_date",
                          "technical_emails", "billing_emails", "total_purchased", "consumed",
                          "available", "percent_used", "session_minutes", "thresholds"}
    assert shown["technical_emails"] == ["ops@acme.com"]
    assert shown["thresholds"] == [75, 85, 95, 100]
    assert (shown["total_purchased"], shown["session_minutes"]) == (100, 20)


def test_tenant_list_names_every_tenant(cli):
    cli(*CREATE)
    status, out, _ = cli("tenant", "list", "--json")
    assert status == 0 and [t["tenant_id"] for t in json.loads(out)] == ["acme"]
    status, out, _ = cli("tenant", "list")
    assert status == 0 and "acme" in out and "100" in out


def test_refill_accepts_signed_quantities(cli):
    cli(*CREATE)
    assert cli("refill", "acme", "+50", "--by", "sam", "--note", "Q2")[0] == 0
    assert cli("refill", "acme", "-20", "--by", "sam")[0] == 0
    assert cli("refill", "acme", "5", "--by", "sam")[0] == 0
    assert show(cli)["total_purchased"] == 135


@pytest.mark.parametrize(("args", "message"), [
    (["refill", "acme", "0", "--by", "sam"], "refill of 0"),
    (["refill", "acme", "-101", "--by", "sam"], "at most 100"),
    (["refill", "acme", "ten", "--by", "sam"], "signed whole number"),
    (["refill", "zeta", "5", "--by", "sam"], "no tenant 'zeta'"),
    (["contacts", "set", "acme", "--technical-email", "a@b.com", "--billing-email", "bad"],
     "'bad' is not a valid email"),
    (["contacts", "set", "acme"], "give --technical-email"),
    (["renew", "acme", "--start", "2026-06-01", "--end", "2027-05-31", "--licenses", "5"],
     "overlaps"),
    (["renew", "acme", "--start", "2027-13-01", "--end", "2027-12-31", "--licenses", "5"],
     "YYYY-MM-DD"),
    (CREATE, "already exists"),
])
def test_refused_commands_exit_2_with_the_reason_and_change_nothing(cli, args, message):
    cli(*CREATE)
    before = show(cli)
    status, _, err = cli(*args)
    assert status == 2
    assert message in err
    assert show(cli) == before


def test_a_missing_argument_is_a_usage_error(cli):
    status, _, err = cli("tenant", "create")
    assert status == 2 and "Missing" in err


def test_contacts_set_replaces_only_the_lists_given(cli):
    cli(*CREATE)
    assert cli("contacts", "set", "acme", "--billing-email", "a@acme.com",
               "--billing-email", "B@acme.com")[0] == 0
    shown = show(cli)
    assert shown["billing_emails"] == ["a@acme.com", "b@acme.com"]
    assert shown["technical_emails"] == ["ops@acme.com"]


def test_renew_starts_a_term_that_show_can_select(cli):
    cli(*CREATE)
    assert cli("renew", "acme", "--start", "2027-01-01", "--end", "2027-12-31",
               "--licenses", "500")[0] == 0
    status, out, _ = cli("tenant", "show", "acme", "--json", "--term", "2027-03-01")
    assert status == 0 and json.loads(out)["total_purchased"] == 500


def test_account_create_reads_the_password_from_stdin(cli):
    cli(*CREATE)
    status, out, _ = cli("account", "create", "ann", "--role", "tenant_admin", "--tenant", "acme",
                         "--email", "ann@acme.com", stdin="long enough secret\n")
    assert status == 0 and "ann" in out
    status, _, err = cli("account", "create", "bob", "--role", "tenant_admin", "--tenant", "acme",
                         "--email", "bob@acme.com", stdin="short\n")
    assert status == 2 and "at least 8" in err


def test_the_db_option_may_stand_before_the_command(cli, db_url, monkeypatch):
    monkeypatch.delenv("LICENSING_DATABASE_URL")
    assert cli("--db", db_url, *CREATE)[0] == 0
    monkeypatch.setenv("LICENSING_DATABASE_URL", db_url)
    assert show(cli)["name"] == "Acme Corp"


def test_an_unreachable_database_fails_with_a_message_not_a_traceback(cli):
    status, _, err = cli("--db", "postgresql://postgres@127.0.0.1:1/none", "tenant", "list")
    assert status == 1
    assert "cannot reach the database" in err and "Traceback" not in err
