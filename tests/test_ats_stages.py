"""Stage mapping (native signals, override file, EN + NL keywords) and the unmapped-stage report end to end."""

from __future__ import annotations

import pytest

from connector.ats.stages import StageMapper, keyword_target, load_overrides
from connector.errors import ConfigError
from tests.ats_expect import expected_hubspot, hubspot_values


@pytest.mark.parametrize("name,target", [
    ("Sollicitatie ontvangen", "applied"), ("Nieuwe sollicitatie", "applied"), ("Application Review", "applied"),
    ("Telefonisch gesprek", "screening"), ("Preliminary Phone Screen", "screening"), ("Voorselectie", "screening"),
    ("Eerste gesprek", "interview"), ("Tweede gesprek", "interview"), ("Assessment", "interview"),
    ("Phone Interview", "interview"), ("Face to Face", "interview"),
    ("Aanbod", "offer"), ("Contract", "offer"), ("Offer", "offer"),
    ("Aangenomen", "hired"), ("In dienst", "hired"), ("Hired", "hired"),
    ("Afgewezen", "rejected"), ("Rejected", "rejected"), ("Teruggetrokken", "withdrawn"),
    ("Candidate withdrew", "withdrawn"), ("Sourced", "prospect"), ("Talent pool", "prospect"),
    ("Bedrijfsbezoek", None), ("Reference Check", None),
])
def test_keyword_table_maps_english_and_dutch_stage_names(name, target):
    assert keyword_target(name) == target


def test_native_signals_win_over_keywords():
    mapper = StageMapper()
    assert mapper.map("Eerste gesprek", native_phase="screening").phase == "screening"
    hired = mapper.map("Sollicitatie", native_phase="hired", native_outcome="hired")
    assert (hired.phase, hired.outcome, hired.source) == ("hired", "hired", "native")
    rejected = mapper.map("Tweede gesprek", native_outcome="rejected")
    assert (rejected.phase, rejected.outcome) == ("interview", "rejected")


def test_override_corrects_a_keyword_and_fills_a_gap():
    mapper = StageMapper({"assessment": "screening", "bedrijfsbezoek": "interview"})
    assert (mapper.map("Assessment").phase, mapper.map("Assessment").source) == ("screening", "override")
    assert mapper.map("  BEDRIJFSBEZOEK ").phase == "interview"


def test_unmapped_stage_is_counted_once_per_name():
    mapper = StageMapper()
    for _ in range(3):
        mapper.map("Bedrijfsbezoek")
    mapper.map("Eerste gesprek")
    assert mapper.unmapped() == [("Bedrijfsbezoek", 3)]


def test_override_file_naming_an_unknown_phase_is_a_config_error(tmp_path):
    path = tmp_path / "stages.toml"
    path.write_text('[stages]\n"Bedrijfsbezoek" = "almost-hired"\n')
    with pytest.raises(ConfigError, match="ATS_STAGE_MAP_PATH.*almost-hired"):
        load_overrides(str(path))


def test_unmapped_stage_is_reported_with_its_name_then_mapped_after_an_override(recruitee_connector, recruitee,
                                                                               sandbox, tmp_path):
    recruitee_connector.run("setup")
    first = recruitee_connector.run("sync", "--json")
    assert first.output.count("'Bedrijfsbezoek' is not mapped") == 1
    assert '"ats_unmapped_stages": 1' in first.output
    stages = recruitee_connector.run("ats", "stages").output
    assert "Bedrijfsbezoek" in stages and "unmapped" in stages
    assert hubspot_values(sandbox) == expected_hubspot(sandbox, recruitee.world, custom_phase=None)

    overrides = tmp_path / "stages.toml"
    overrides.write_text('[stages]\n"Bedrijfsbezoek" = "interview"\n')
    assert "override (next sync)" in recruitee_connector.run("ats", "stages", ATS_STAGE_MAP_PATH=str(overrides)).output
    second = recruitee_connector.run("sync", "--json", ATS_STAGE_MAP_PATH=str(overrides))
    assert "not mapped" not in second.output and '"ats_unmapped_stages": 0' in second.output
    assert "unmapped" not in recruitee_connector.run("ats", "stages", ATS_STAGE_MAP_PATH=str(overrides)).output
    assert hubspot_values(sandbox) == expected_hubspot(sandbox, recruitee.world, custom_phase="interview")
