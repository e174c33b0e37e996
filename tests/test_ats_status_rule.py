"""te_application_status of a contact: the outcome when every application is closed, else the phase of the most
advanced open application (pure rule over stored applications)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connector.ats.base import OUTCOMES, PHASES, phase_rank
from connector.state.ats_models import AtsApplication
from connector.state.ats_store import _deciding, compute_status

apps = st.lists(st.builds(
    AtsApplication, ats=st.just("x"), id=st.uuids().map(str), candidate_id=st.just("c"), job_id=st.just("j"),
    phase=st.sampled_from((*PHASES, None)), outcome=st.sampled_from(OUTCOMES),
    updated_ms=st.integers(0, 10**12), closed_ms=st.one_of(st.none(), st.integers(0, 10**12))), min_size=1, max_size=6)


@given(apps)
def test_status_is_the_outcome_when_all_closed_else_the_furthest_open_phase(applications):
    status = compute_status(_deciding([(a, None) for a in applications])[0])
    open_ = [a for a in applications if a.outcome == "open"]
    if open_:
        best = max(phase_rank(a.phase) for a in open_)
        assert status in PHASES and phase_rank(status) == best
    else:
        assert status in OUTCOMES[1:]


def test_open_application_in_an_unmapped_stage_reads_as_applied():
    app = AtsApplication(ats="x", id="1", candidate_id="c", phase=None, outcome="open")
    assert compute_status(app) == "applied"
