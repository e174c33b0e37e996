"""`connector check`: token, scopes, property headroom and ATS credentials, one line each; non-zero when one is missing."""

from connector.sandbox.hubspot import DEFAULT_SCOPES


def test_check_passes_against_the_sandbox(connector, sandbox):
    sandbox.requests.clear()
    out = connector.run("check").output
    lines = out.strip().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["ok    token", "ok    scopes", "ok    property headroom"]
    assert lines[-1].startswith("all checks passed") and len(sandbox.requests) <= 5


def test_check_names_a_missing_scope_and_the_feature_it_switches_off(connector, sandbox):
    sandbox.scopes = DEFAULT_SCOPES - {"content"}
    try:
        result = connector.run("check", expect=1)
    finally:
        sandbox.scopes = DEFAULT_SCOPES
    assert "FAIL  scope content: missing: switches off marketing email events" in result.output
    assert "error: 1 check(s) failed: scope content" in result.output


def test_check_warns_on_a_missing_optional_scope_and_passes(connector, sandbox):
    sandbox.scopes = DEFAULT_SCOPES - {"crm.lists.read"}
    try:
        out = connector.run("check").output
    finally:
        sandbox.scopes = DEFAULT_SCOPES
    assert "warn  scope crm.lists.read: missing: switches off" in out and "all checks passed" in out


def test_check_fails_on_a_rejected_token(connector, sandbox):
    result = connector.run("check", expect=1, HUBSPOT_ACCESS_TOKEN="pat-revoked")
    assert "FAIL  token:" in result.output and "error: 1 check(s) failed: token" in result.output
    assert "scope" not in result.output


def test_check_passes_with_the_recruitee_credentials(recruitee_connector, recruitee):
    out = recruitee_connector.run("check").output
    assert "ok    ATS recruitee: RECRUITEE_API_TOKEN accepted" in out and "all checks passed" in out


def test_check_fails_on_a_bad_recruitee_token(recruitee_connector, recruitee):
    result = recruitee_connector.run("check", expect=1, RECRUITEE_API_TOKEN="wrong-token-1234")
    assert "FAIL  ATS recruitee:" in result.output and "error: 1 check(s) failed: ATS recruitee" in result.output
    assert "wrong-token-1234" not in result.output


class _LimitsClient:
    """Answers the two headroom calls: the contact properties list and the limits API's contact row."""

    def __init__(self, limit, usage, existing=()):
        from types import SimpleNamespace
        self.page = SimpleNamespace(results=[SimpleNamespace(name=n, hubspot_defined=None) for n in existing])
        self.limits = {"byObjectType": [{"objectTypeId": "0-1", "limit": limit, "usage": usage}]}

    def api(self, _dotted):
        return type("Core", (), {"get_all_with_http_info": None})()

    def call(self, _what, _method, **_kwargs):
        return self.page

    def get_json(self, _what, _path, _params=None):
        return self.limits


def test_headroom_fails_when_the_te_properties_no_longer_fit():
    from connector.check import check_property_headroom
    from connector.hubspot.properties import PROPERTIES
    tight = check_property_headroom(_LimitsClient(limit=1000, usage=1000 - len(PROPERTIES) + 1))
    fits = check_property_headroom(_LimitsClient(limit=1000, usage=1000 - len(PROPERTIES)))
    created = check_property_headroom(_LimitsClient(limit=1000, usage=1000, existing=[p.name for p in PROPERTIES]))
    assert (tight.ok, fits.ok, created.ok) == (False, True, True)
    assert "HubSpot's limits API" in fits.message and tight.message.endswith("no room")
