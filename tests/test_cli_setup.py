"""`connector setup`: capabilities reported, te_* schema created once, second run changes nothing."""

from connector.hubspot.properties import GROUP_NAME, PROPERTY_NAMES


def _schema_writes(sandbox):
    return [r for r in sandbox.requests if r.method == "POST" and r.path.startswith("/crm/v3/properties/")]


def test_setup_creates_schema_then_changes_nothing(connector, sandbox):
    first = connector.run("setup")
    assert "created" in first.output
    assert sandbox.property_names("contacts") >= PROPERTY_NAMES
    assert len(_schema_writes(sandbox)) == len(PROPERTY_NAMES) + 1     # the group and each property, once

    before = len(_schema_writes(sandbox))
    second = connector.run("setup")
    assert "Nothing to change" in second.output
    assert len(_schema_writes(sandbox)) == before


def test_setup_reports_capabilities(connector):
    out = connector.run("setup").output
    for api in ("contacts", "owners", "email_events", "web_analytics"):
        assert api in out


def test_setup_dry_run_writes_nothing(connector, sandbox):
    out = connector.run("setup", "--dry-run").output
    assert "would create" in out
    assert _schema_writes(sandbox) == []
    assert not (PROPERTY_NAMES & sandbox.property_names("contacts"))


def test_web_analytics_unavailable_below_enterprise(connector, sandbox):
    sandbox.tier = "professional"
    try:
        out = connector.run("setup").output
    finally:
        sandbox.tier = "enterprise"
    line = next(x for x in out.splitlines() if "web_analytics" in x)
    assert "no" in line


def test_wrong_token_is_one_line_naming_the_setting(connector, sandbox):
    result = connector.run("setup", expect=3, HUBSPOT_ACCESS_TOKEN="pat-na1-WRONG-SENTINEL")
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error:") and "HUBSPOT_ACCESS_TOKEN" in lines[0]
    assert "SENTINEL" not in result.output


def test_missing_token_fails_naming_it(connector):
    result = connector.run("setup", expect=2, HUBSPOT_ACCESS_TOKEN="")
    assert "HUBSPOT_ACCESS_TOKEN" in result.output


def test_group_is_created_in_hubspot(connector, sandbox):
    connector.run("setup")
    groups = [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/groups")]
    assert groups and groups[0].body["name"] == GROUP_NAME


def test_setup_lists_the_page_view_hosts_it_saw(empty_sandbox, make_connector):
    from datetime import UTC, datetime, timedelta
    first = empty_sandbox.create_contact({"email": "a@example.org"})
    second = empty_sandbox.create_contact({"email": "b@example.org"})
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    for cid, url in ((first, "https://careers.example.com/vacancies/ux-designer"), (first, "https://www.example.com/pricing"),
                     (second, "https://www.example.com/")):
        empty_sandbox.add_web_event(cid, url=url, occurred_at=hour_ago)
    out = " ".join(make_connector(empty_sandbox).run("setup").output.split())
    assert "Page-view hosts seen" in out and "www.example.com (2), careers.example.com (1)" in out
