"""Properties (hypothesis) of the record checks and the output escaping, over arbitrary text."""

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from connector.hubspot.pull import BadRecordError, contact_row
from connector.hubspot.sanitize import text_problem
from connector.views.safe_text import spreadsheet_cell, term, visible

ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=()), max_size=40)


def _storable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in s


@given(ANY_TEXT)
def test_text_is_rejected_exactly_when_no_database_could_store_it(s):
    assert (text_problem(s) is None) == _storable(s)


@given(st.dictionaries(st.sampled_from(["email", "firstname", "lastname", "hubspot_owner_id", "lastmodifieddate",
                                        "hs_additional_emails", "hs_analytics_last_timestamp"]), ANY_TEXT))
def test_a_contact_is_either_a_storable_row_or_a_bad_record(props):
    props.setdefault("lastmodifieddate", "1767225600000")
    try:
        row = contact_row("7", props)
    except BadRecordError as bad:
        assert bad.source == "contact" and bad.record_id == "7" and bad.field
        return
    assert all(text_problem(v) is None for v in row.values() if isinstance(v, str))


@given(ANY_TEXT)
def test_terminal_text_is_shown_literally_and_without_control_characters(s):
    shown = Text.from_markup(term(s) + "[dim]after[/dim]").plain
    # Every character is shown literally (no markup taken from the value, the markup after it intact); Rich's own
    # escaping may add or drop a backslash next to a bracket, which changes nothing a reader could be fooled by.
    assert shown.endswith("after")
    assert shown.replace("\\", "") == (visible(s) + "after").replace("\\", "")
    assert not [c for c in shown if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f]


@given(ANY_TEXT)
def test_no_spreadsheet_cell_starts_a_formula(s):
    assert not spreadsheet_cell(s).startswith(("=", "+", "-", "@", "\t", "\r"))
