"""HubSpot's edge answers some 5xx (and every over-long URL) with an HTML page, not JSON: the sandbox does so too,
and the connector retries them like any 5xx and, when they persist, says so in one line without the HTML."""

from __future__ import annotations

import pytest
import requests
from hubspot.crm.contacts import PublicObjectSearchRequest

from connector.config import load_settings
from connector.errors import FatalError, RetryableError
from connector.hubspot.client import HubSpotClient

SEARCH = "/crm/v3/objects/contacts/search"


def _get(sandbox, path: str) -> requests.Response:
    return requests.get(sandbox.url + path, headers={"Authorization": f"Bearer {sandbox.token}"}, timeout=10)


def _client(sandbox, **extra) -> HubSpotClient:
    env = {"HUBSPOT_ACCESS_TOKEN": sandbox.token, "HUBSPOT_BASE_URL": sandbox.url,
           "HUBSPOT_RATE_LIMIT_PER_10S": "100000", "HUBSPOT_SEARCH_RATE_PER_S": "10000", **extra}
    return HubSpotClient(load_settings(env), sleep=lambda _s: None)


def _error_line(result) -> str:
    lines = [line for line in result.output.strip().splitlines() if not line.startswith(("20", "…"))]   # logs, progress
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and "<" not in result.output, result.output
    return lines[0]


def test_an_html_fault_answers_text_html_with_cloudflares_page(sandbox):
    sandbox.add_fault(status=502, html=True, path_prefix="/crm/v3/objects/contacts")
    resp = _get(sandbox, "/crm/v3/objects/contacts?limit=1")
    assert resp.status_code == 502 and resp.headers["Content-Type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in resp.text and "cloudflare" in resp.text
    assert _get(sandbox, "/crm/v3/objects/contacts?limit=1").status_code == 200     # one fault, then served


def test_the_storm_sends_some_5xx_as_html_and_some_as_json(sandbox):
    sandbox.start_storm(rate=1.0, seed=3, burst=1)
    kinds = set()
    for _ in range(80):
        try:
            resp = _get(sandbox, "/crm/v3/objects/contacts?limit=1")
        except requests.ConnectionError:       # the storm's lost answers
            continue
        if resp.status_code == 503:
            kinds.add(resp.headers["Content-Type"].split(";")[0])
    sandbox.storm.stop()
    assert kinds == {"text/html", "application/json"}
    assert sandbox.storm.html_5xx > 0 and set(sandbox.storm.fired) <= {"5xx", "lost_answer", "429_burst"}


def test_an_html_502_is_retried_like_any_5xx(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(status=502, html=True, count=2, path_prefix=SEARCH)
    counts = connector.sync_json()
    assert [r.status for r in sandbox.requests if r.path == SEARCH][:3] == [502, 502, 200]
    assert counts["status"] == "ok"


def test_a_persistent_html_502_is_one_error_line_naming_the_status_and_the_call(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(status=502, html=True, count=1000, path_prefix=SEARCH)
    result = connector.run("sync", expect=None, HUBSPOT_MAX_RETRIES="1")
    assert result.exit_code != 0
    line = _error_line(result)
    assert "502" in line and "search" in line and "HTML" in line, line


def test_the_sdk_path_maps_an_html_5xx_to_a_retryable_error(sandbox):
    client = _client(sandbox, HUBSPOT_MAX_RETRIES="2")
    sandbox.add_fault(status=502, html=True, count=10, path_prefix=SEARCH)
    api = client.api("crm.contacts.search_api")
    with pytest.raises(RetryableError) as caught:
        client.call("contact search", api.do_search_with_http_info,
                    public_object_search_request=PublicObjectSearchRequest(limit=1), search=True)
    assert caught.value.status == 502 and "<" not in str(caught.value)
    assert "contact search" in str(caught.value) and "HTML" in str(caught.value)
    assert client.stats.by_status[502] == 3 and client.stats.retries == 2


def test_the_raw_path_maps_an_html_5xx_to_a_retryable_error(sandbox):
    client = _client(sandbox, HUBSPOT_MAX_RETRIES="1")
    sandbox.add_fault(status=503, html=True, count=10, path_prefix="/email/public/v1/events")
    with pytest.raises(RetryableError) as caught:
        client.get_json("email events", "/email/public/v1/events", {"limit": 10})
    assert caught.value.status == 503 and "<" not in str(caught.value) and "HTML" in str(caught.value)


def test_a_url_past_the_edge_limit_gets_an_html_414(sandbox):
    limit = sandbox.max_request_target
    base = "/crm/v3/objects/contacts?limit=1&properties="
    fits = _get(sandbox, base + "e" * (limit - len(base)))
    assert fits.status_code == 200
    refused = _get(sandbox, base + "e" * (limit - len(base) + 1))
    assert refused.status_code == 414 and refused.headers["Content-Type"].startswith("text/html")
    assert "414 Request-URI Too Large" in refused.text
    assert sandbox.requests[-1].status == 414


def test_the_client_reports_a_414_as_fatal_in_one_sentence(sandbox):
    client = _client(sandbox)
    with pytest.raises(Exception) as caught:
        client.get_json("contact list", "/crm/v3/objects/contacts", {"properties": "x" * 17_000})
    assert isinstance(caught.value, FatalError)
    assert "414" in str(caught.value) and "<" not in str(caught.value)
    assert client.stats.by_status == {414: 1}     # not retried: the same URL cannot succeed


def test_an_html_200_is_an_error_on_both_paths_never_an_empty_page(sandbox):
    """The SDK deserializes an HTML 200 into a model of Nones: that must not read as "no contacts"."""
    client = _client(sandbox)
    sandbox.add_fault(status=200, html=True, count=2)
    api = client.api("crm.contacts.search_api")
    with pytest.raises(FatalError) as sdk:
        client.call("contact search", api.do_search_with_http_info,
                    public_object_search_request=PublicObjectSearchRequest(limit=1), search=True)
    with pytest.raises(FatalError) as raw:
        client.get_json("email events", "/email/public/v1/events", {"limit": 10})
    for caught, what in ((sdk, "contact search"), (raw, "email events")):
        assert what in str(caught.value) and "HTML" in str(caught.value) and "<" not in str(caught.value)
