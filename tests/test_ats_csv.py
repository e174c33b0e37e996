"""File exports (ATS_KIND=csv) end to end through the CLI, plus the sniffing and date parsing they rest on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.ats.sniff import sniff_delimiter, sniff_encoding
from connector.ats.timefmt import LOCAL_ZONE, parse_when
from tests.ats_expect import hubspot_values

HEADER = ["Sollicitatie_ID", "E-mailadres", "Voornaam", "Achternaam", "Vacature_ID", "Vacature", "Fase", "Status",
          "Sollicitatiedatum", "Gewijzigd"]


def _dutch_export(path, rows, *, bom=True):
    lines = [";".join(HEADER)] + [";".join(r) for r in rows]
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def _rows(n, emails=()):
    rows = []
    for i in range(n):
        email = emails[i] if i < len(emails) else f"kandidaat{i}@example.org"
        stage, status = [("Nieuwe sollicitatie", "Open"), ("Eerste gesprek", "Open"), ("Aanbod", "Open"),
                         ("Tweede gesprek", "Afgewezen"), ("Aangenomen", "Aangenomen")][i % 5]
        rows.append([f"S{i:05d}", email, "Émile", "Jansen", f"V{i % 7}", f"Vacature {i % 7}", stage, status,
                     f"{1 + i % 28:02d}-10-2026", f"{1 + i % 28:02d}-11-2026 10:{i % 60:02d}"])
    return rows


@pytest.fixture
def csv_connector(connector, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    connector.env.update({"ATS_KIND": "csv", "ATS_CSV_PATH": str(folder)})
    connector.run("setup")
    return connector, folder


def test_dutch_excel_export_of_1000_rows_imports_997_and_reports_the_3_bad_by_file_row_and_column(csv_connector):
    connector, folder = csv_connector
    rows = _rows(1000)
    rows[10][1] = "not-an-email"           # row 12 of the file (header is row 1)
    rows[500][9] = "31-02-2026"            # no such day
    rows[998][4] = ""                      # no job
    _dutch_export(folder / "export-2026-12-01.csv", rows)
    result = connector.sync_json()
    assert result["ats_applications_pulled"] == 997 and result["quarantined"] == 3
    out = connector.run("status").output
    assert "csv:export-2026-12-01.csv row 12 field=email" in out
    assert "csv:export-2026-12-01.csv row 502 field=updated_at" in out
    assert "csv:export-2026-12-01.csv row 1000 field=job_id" in out


def test_unchanged_export_is_not_read_again_and_a_new_export_in_the_folder_is(csv_connector):
    connector, folder = csv_connector
    _dutch_export(folder / "a.csv", _rows(20))
    assert connector.sync_json()["ats_applications_pulled"] == 20
    again = connector.sync_json()
    assert again["ats_requests"] == 0 and again["ats_applications_pulled"] == 0
    newer = _rows(5)
    for i, row in enumerate(newer):
        row[0], row[9] = f"N{i}", "30-11-2026 12:00"
    _dutch_export(folder / "b.csv", newer)
    third = connector.sync_json()
    assert third["ats_requests"] == 1 and third["ats_applications_pulled"] == 5


def test_export_without_updated_at_imports_only_changed_rows_by_hash(csv_connector, tmp_path):
    connector, folder = csv_connector
    rows = [r[:9] for r in _rows(30)]
    header = ";".join(HEADER[:9])
    (folder / "x.csv").write_text(header + "\n" + "\n".join(";".join(r) for r in rows) + "\n", encoding="cp1252")
    assert connector.sync_json()["ats_applications_pulled"] == 30
    rows[3][6] = "Aanbod"
    (folder / "x.csv").write_text(header + "\n" + "\n".join(";".join(r) for r in rows) + "\n", encoding="cp1252")
    assert connector.sync_json()["ats_applications_pulled"] == 1


def test_export_rows_write_application_status_to_matching_contacts(csv_connector, sandbox):
    connector, folder = csv_connector
    emails = [c["properties"]["email"] for c in sandbox.contacts()[:5]]
    _dutch_export(folder / "export.csv", _rows(5, emails))
    connector.sync_json()
    values = {v["te_ats_candidate_id"]: v["te_application_status"] for v in hubspot_values(sandbox).values()}
    assert values == {emails[0]: "applied", emails[1]: "interview", emails[2]: "offer", emails[3]: "rejected",
                      emails[4]: "hired"}


def test_xlsx_export_is_read_with_its_dates(csv_connector, sandbox):
    from openpyxl import Workbook
    connector, folder = csv_connector
    email = sandbox.contacts()[0]["properties"]["email"]
    book = Workbook()
    sheet = book.active
    sheet.append(["email", "job_id", "job_title", "stage", "applied_at", "updated_at"])
    sheet.append([email, "J1", "Data Engineer", "Assessment", datetime(2026, 11, 2, 9, 30), "2026-11-20T10:00:00Z"])
    book.save(folder / "export.xlsx")
    assert connector.sync_json()["ats_applications_pulled"] == 1
    values = list(hubspot_values(sandbox).values())
    assert values == [{"te_application_status": "interview", "te_application_job": "Data Engineer",
                       "te_application_updated_at": "2026-11-20T10:00:00Z", "te_ats_candidate_id": email}]


def test_column_mapping_file_names_the_export_headers(csv_connector, tmp_path):
    connector, folder = csv_connector
    (folder / "e.csv").write_text("Mail,Job,Step\na@example.org,J9,Eerste gesprek\n", encoding="utf-8")
    mapping = tmp_path / "columns.toml"
    mapping.write_text('[columns]\nemail = "Mail"\njob_id = ["Job"]\nstage = "Step"\n')
    missing = connector.run("sync", expect=2)
    assert missing.output.strip().splitlines()[-1] == \
        "error: e.csv has no email or job_id column: map it in ATS_CSV_COLUMNS_PATH"
    assert connector.sync_json(ATS_CSV_COLUMNS_PATH=str(mapping))["ats_applications_pulled"] == 1


@pytest.mark.parametrize("data,encoding", [
    (b"\xef\xbb\xbfnaam;e-mail\n", "utf-8-sig"), ("naam;e-mail\nJosé\n".encode(), "utf-8"),
    ("naam;e-mail\nJosé\n".encode("cp1252"), "cp1252"),
])
def test_encoding_is_sniffed(data, encoding):
    assert sniff_encoding(data) == encoding


@pytest.mark.parametrize("text,delimiter", [
    ("a;b;c\n1;2;3\n", ";"), ("a,b,c\n1,2,3\n", ","), ("a\tb\tc\n1\t2\t3\n", "\t"),
    ('naam;adres\n"Jansen, J.";"Straat 1, Utrecht"\n', ";"),
])
def test_delimiter_is_sniffed(text, delimiter):
    assert sniff_delimiter(text) == delimiter


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_dutch_dates_are_amsterdam_time_and_iso_dates_keep_their_offset(moment):
    moment = moment.replace(second=0, microsecond=0)
    parsed = parse_when(moment.strftime("%d-%m-%Y %H:%M"))
    assert parsed.tzinfo is UTC or parsed.utcoffset().total_seconds() == 0
    assert parsed == parse_when(moment.replace(tzinfo=LOCAL_ZONE).isoformat())
    assert parse_when(moment.strftime("%Y-%m-%dT%H:%M:00Z")) == moment.replace(tzinfo=UTC)


def test_impossible_date_is_refused():
    with pytest.raises(ValueError):
        parse_when("31-02-2026")
