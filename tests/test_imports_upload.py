"""Importing agreements from XLSX/CSV: template, preview, confirm, re-import, and the files
that must be refused with nothing imported."""

from __future__ import annotations

import csv
import errno
import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from kerjasama_flow import storage
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.models import Agreement, Mou, Partner
from kerjasama_flow.extensions import db
from kerjasama_flow.imports.applying import import_rows, validate_rows
from kerjasama_flow.imports.models import ImportJob, ImportStatus
from kerjasama_flow.imports.parsing import parse_rows
from kerjasama_flow.imports.reading import read_table
from kerjasama_flow.tasks.models import Task
from tests import factories
from tests.import_helpers import (
    HEADERS,
    agreement_count,
    by_ref,
    confirm,
    job_id_of,
    row,
    stored_files,
    upload,
    xlsx,
)
from tests.sql_helpers import recorded_statements


@pytest.fixture
def admin(world, auth):
    auth.login(world.admin)
    return world.admin


def assert_refused(response, *texts):
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "/confirm" not in body
    for text in texts:
        assert text in body, body


# --- the template ---------------------------------------------------------------------------------


def test_template_downloads_and_openpyxl_reads_it(client, admin):
    response = client.get("/agreements/import/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Kerja Sama", "Petunjuk"]
    sheet = workbook["Kerja Sama"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    # The example row says what it is, first, in grey italics, with a comment.
    assert HEADERS[0] == "Catatan"
    assert sheet["A2"].value == "CONTOH - hapus baris ini"
    assert sheet["B2"].value == "KS-2024-001"
    assert all(cell.font.italic and cell.font.color.rgb.endswith("808080") for cell in sheet[2])
    assert "tidak diimpor" in sheet["A2"].comment.text
    assert sheet.data_validations.dataValidation
    guide = [r[0] for r in workbook["Petunjuk"].iter_rows(values_only=True)]
    assert set(HEADERS) <= set(guide)


def test_the_template_as_downloaded_imports_nothing(client, admin):
    before = agreement_count()
    content = client.get("/agreements/import/template.xlsx").data
    response = upload(client, content, "templat.xlsx")
    assert_refused(response, "hanya berisi baris contoh templat")
    assert agreement_count() == before


def test_the_sample_row_left_in_is_skipped_and_the_preview_says_so(client, admin, world):
    """The downloaded template with one real row typed under the example: only that row is
    imported, and the preview and the result name the example row as skipped."""
    before = agreement_count()
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/agreements/import/template.xlsx").data)
    )
    sheet = workbook["Kerja Sama"]
    real = row()
    sheet.append([real.get(header) for header in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    response = upload(client, out.getvalue(), "templat-terisi.xlsx")
    body = response.get_data(as_text=True)
    assert "Baris 2 adalah baris contoh templat" in body and "dilewati, tidak diimpor" in body
    assert "Impor 1 baris" in body and "Pasokan beras ke Batam" in body
    assert "KS-2024-001" not in body
    response = confirm(client, job_id_of(response), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Baris 2 adalah baris contoh templat" in body
    assert agreement_count() == before + 1
    assert by_ref("KS-001", world.gov.id) is not None
    assert by_ref("KS-2024-001", world.gov.id) is None


@pytest.mark.parametrize(
    "sample",
    [
        # The example's own reference and title, its note cleared.
        {
            "Referensi": "KS-2024-001",
            "Judul": "Kerja sama ketahanan pangan dengan Pemprov DKI Jakarta",
        },
        # Any row whose note starts with the mark, whatever its case.
        {"Catatan": "contoh: jangan diimpor", "Referensi": "KS-999", "Judul": "Uji"},
    ],
)
def test_a_row_marked_as_the_sample_is_skipped_in_csv_too(client, admin, world, sample):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    for values in (row(**sample), row("KS-002", "Promosi wisata")):
        writer.writerow([values.get(h) or "" for h in HEADERS])
    response = upload(client, out.getvalue().encode(), "data.csv")
    body = response.get_data(as_text=True)
    assert "Baris 2 adalah baris contoh templat" in body
    assert "Impor 1 baris" in body and "Promosi wisata" in body


def test_a_note_that_is_not_the_mark_is_imported(client, admin):
    response = upload(client, xlsx([row(Catatan="Dari daftar 2024; cek nomor MoU")]))
    body = response.get_data(as_text=True)
    assert "baris contoh" not in body
    assert "Impor 1 baris" in body


# --- a good file, then the same file again -------------------------------------------------------


def test_good_file_previews_then_confirm_creates(client, admin, world):
    before = agreement_count()
    tasks_before = db.session.scalar(select(func.count()).select_from(Task))
    content = xlsx(
        [
            row(),
            row(
                "KS-002",
                "Promosi wisata",
                Mitra="Pemerintah Provinsi DKI Jakarta",
                **{
                    "Tanggal MoU": None,
                    "Nomor MoU": None,
                    "Berlaku mulai": None,
                    "Berakhir": None,
                    "OPD pengampu": None,
                    "Sektor": "pariwisata",
                },
            ),
        ]
    )
    response = upload(client, content)
    body = response.get_data(as_text=True)
    assert "Pasokan beras ke Batam" in body and "Promosi wisata" in body
    assert "Impor 2 baris" in body
    assert agreement_count() == before  # the preview saves nothing

    response = confirm(client, job_id_of(response))
    assert response.status_code == 302
    assert agreement_count() == before + 2
    first = by_ref("KS-001", world.gov.id)
    assert first.title == "Pasokan beras ke Batam"
    assert sorted(p.name for p in first.partners) == ["Pemerintah Kota Batam", "Perumda Pasar Jaya"]
    assert sorted(first.sectors) == ["pangan", "umkm"]
    assert first.commodities == "beras, telur ayam"
    assert first.lead_agency_id == world.agency.id
    assert [(m.number_own, m.signed_on, m.ends_on) for m in first.mous] == [
        ("415.4/12/2024", date(2024, 3, 1), date(2027, 3, 1))
    ]
    assert first.stage.value != "penjajakan"  # the MoU moved the stage on
    second = by_ref("KS-002", world.gov.id)
    # An existing partner is reused (case-insensitively), not duplicated.
    assert [p.id for p in second.partners] == [world.partner.id]
    assert second.mous == []
    # Imports are history: no playbook tasks.
    assert db.session.scalar(select(func.count()).select_from(Task)) == tasks_before


def test_reimport_updates_instead_of_duplicating(client, admin, world):
    confirm(client, job_id_of(upload(client, xlsx([row()]))))
    count = agreement_count()
    partners = db.session.scalar(select(func.count()).select_from(Partner))

    response = upload(client, xlsx([row(title="Pasokan beras dan telur ke Batam")]))
    assert "Diperbarui" in response.get_data(as_text=True)
    confirm(client, job_id_of(response))
    assert agreement_count() == count
    assert db.session.scalar(select(func.count()).select_from(Partner)) == partners
    agreement = by_ref("KS-001", world.gov.id)
    assert agreement.title == "Pasokan beras dan telur ke Batam"
    assert len(agreement.mous) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(Mou).where(Mou.agreement_id == agreement.id)
        )
        == 1
    )


def test_another_governments_references_are_not_matched(client, admin, world):
    theirs = factories.make_agreement(world.other_gov, title="Milik Malang", external_ref="KS-001")
    db.session.commit()
    response = upload(client, xlsx([row()]))
    assert "Baru" in response.get_data(as_text=True)
    confirm(client, job_id_of(response))
    ours = by_ref("KS-001", world.gov.id)
    assert ours is not None and ours.id != theirs.id
    assert db.session.get(Agreement, theirs.id).title == "Milik Malang"


# --- bad rows -------------------------------------------------------------------------------------


def test_bad_rows_show_errors_by_row_and_column_and_only_valid_rows_import(client, admin, world):
    before = agreement_count()
    content = xlsx(
        [
            row("KS-001"),
            row("KS-002", **{"Berakhir": date(2024, 1, 1)}),  # row 3
            row("KS-003", Judul=None, Jenis="KSXX"),  # row 4
            row("KS-004", Sektor="antariksa", **{"OPD pengampu": "XYZ"}),  # row 5
            row("KS-001", "Duplikat"),  # row 6
            row("KS-007", **{"Berlaku mulai": "31-02-2024"}),  # row 7
        ]
    )
    response = upload(client, content)
    body = response.get_data(as_text=True)
    for message in (
        "Baris 3, kolom Berakhir: Tanggal berakhir harus sesudah tanggal mulai berlaku.",
        "Baris 4, kolom Judul: Wajib diisi.",
        "Baris 4, kolom Jenis: Pilihan tidak sah. Isi KSDD atau KSDPK.",
        "Baris 5, kolom OPD pengampu: Perangkat daerah dengan kode",
        "Baris 6, kolom Referensi: Referensi ini sudah dipakai di baris 2.",
        "Baris 7, kolom Berlaku mulai: Tanggal tidak sah.",
    ):
        assert message in body, message
    assert "Impor 1 baris" in body
    confirm(client, job_id_of(response))
    assert agreement_count() == before + 1
    assert by_ref("KS-001", world.gov.id).title == "Pasokan beras ke Batam"


def test_service_rules_reach_the_preview(client, admin, world):
    """A rule only the service knows (unknown sector) is reported by row and column."""
    response = upload(client, xlsx([row(Sektor="antariksa")]))
    assert "Baris 2, kolom Sektor: Sektor tidak dikenal: antariksa." in response.get_data(
        as_text=True
    )


# --- files refused as a whole ---------------------------------------------------------------------


def test_wrong_header_lists_missing_columns(client, admin):
    before = agreement_count()
    response = upload(client, xlsx([{"Nama": "x"}], headers=["Nama", "Judul", "Tanggal"]))
    assert_refused(response, "Kolom wajib yang tidak ada: Referensi, Jenis, Mitra")
    assert agreement_count() == before


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"\x00\x01garbage" * 100, "data.xlsx", "tidak dapat dibaca sebagai XLSX"),
        (b"PK\x03\x04not really a zip", "data.xlsx", "tidak dapat dibaca sebagai XLSX"),
        (b"\x00\xff\xfe" * 50, "data.csv", "bukan CSV teks"),
        (b"", "data.csv", "Berkas kosong"),
        (b"Referensi,Judul,Jenis,Mitra\n", "data.csv", "tidak berisi baris data"),
        (b'Referensi,Judul,Jenis,Mitra\n"KS-1,"x', "data.csv", "CSV rusak"),
        (b"Referensi,Judul", "data.pdf", "Hanya berkas .xlsx atau .csv"),
    ],
)
def test_malformed_files_are_refused(client, admin, content, filename, message):
    before = agreement_count()
    assert_refused(upload(client, content, filename), message)
    assert agreement_count() == before


def test_csv_with_bom_and_semicolons(client, admin, world):
    text = (
        "\ufeff"
        + ";".join(HEADERS)
        + "\r\n"
        + (
            ";KS-100;Kerja sama Pemkot Surabaya – pangan;ksdpk;Pemerintah Kota Surabaya;pemda_kota;"
            "pangan;beras;DKPP;;01/03/2024;12/2024;01-03-2024;28-02-2029\r\n"
        )
    )
    response = upload(client, text.encode("utf-8"), "data.csv")
    assert "Kerja sama Pemkot Surabaya – pangan" in response.get_data(as_text=True)
    confirm(client, job_id_of(response))
    agreement = by_ref("KS-100", world.gov.id)
    assert agreement.kind.value == "ksdpk"
    assert agreement.mous[0].ends_on == date(2029, 2, 28)


def test_csv_in_windows_1252_falls_back(client, admin, world):
    text = "Referensi,Judul,Jenis,Mitra\nKS-200,Caf\u00e9 \u2013 kuliner,KSDD,Mitra Caf\u00e9\n"
    response = upload(client, text.encode("cp1252"), "data.csv")
    confirm(client, job_id_of(response))
    assert by_ref("KS-200", world.gov.id).title == "Caf\u00e9 \u2013 kuliner"


BOMB_SHEET = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""


def test_xml_bomb_inside_an_xlsx_is_refused(client, admin):
    assert openpyxl.DEFUSEDXML is True
    good = zipfile.ZipFile(io.BytesIO(xlsx([row()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bomb:
        for item in good.infolist():
            data = good.read(item.filename)
            bomb.writestr(item, BOMB_SHEET if item.filename == "xl/worksheets/sheet1.xml" else data)
    before = agreement_count()
    assert_refused(upload(client, out.getvalue()), "XML bomb")
    assert agreement_count() == before


def test_upload_over_the_request_limit_gets_413(client, admin, app):
    # A 20 MB file is the largest accepted; the request may carry 1 MB of other fields.
    assert app.config["MAX_CONTENT_LENGTH"] == 21 * 1024 * 1024
    before = agreement_count()
    # The multipart body built by hand: the test client would spool it to a temporary file
    # that nobody closes when the request is refused unread.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="besar.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + b"x" * (21 * 1024 * 1024) + b"\r\n--B--\r\n"
    )
    response = client.post(
        "/agreements/import", data=body, content_type="multipart/form-data; boundary=B"
    )
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)
    assert agreement_count() == before


def test_upload_on_a_full_disk_is_refused_on_the_file_field(client, admin, app, monkeypatch):
    def full_disk(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_write", full_disk)
    response = upload(client, xlsx([row()]))
    assert_refused(response, "ruang penyimpanan server penuh")
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert list((Path(app.instance_path) / "imports").glob(".*.part")) == []


# --- the stored upload ----------------------------------------------------------------------------


def test_only_the_uploader_confirms_and_a_second_click_imports_nothing(
    client, admin, app, world, auth
):
    response = upload(client, xlsx([row()]))
    job_id = job_id_of(response)
    stored = stored_files(app, job_id)
    assert len(stored) == 1

    colleague = factories.make_user(world.gov, Role.ADMIN, email="admin2@blitarkota.test")
    db.session.commit()
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = factories.start_session(colleague)
    before = agreement_count()
    page = other.get(f"/agreements/import/jobs/{job_id}").get_data(as_text=True)
    assert "Pasokan beras ke Batam" in page  # a colleague may look
    assert "/confirm" not in page and "dapat mengonfirmasi" in page
    assert confirm(other, job_id).status_code == 403  # but not confirm
    assert other.post(f"/agreements/import/jobs/{job_id}/discard").status_code == 403
    assert agreement_count() == before

    assert confirm(client, job_id).status_code == 302
    assert agreement_count() == before + 1
    assert not stored[0].exists()
    response = confirm(client, job_id, follow_redirects=True)  # a second click imports nothing
    assert agreement_count() == before + 1
    assert "Impor ini sudah selesai." in response.get_data(as_text=True)


def test_another_governments_job_is_not_found(client, admin, app, world, auth):
    job_id = job_id_of(upload(client, xlsx([row()])))
    auth.logout()
    auth.login(world.other_admin)
    assert client.get(f"/agreements/import/jobs/{job_id}").status_code == 404
    assert confirm(client, job_id).status_code == 404
    assert client.post(f"/agreements/import/jobs/{job_id}/discard").status_code == 404
    assert by_ref("KS-001", world.gov.id) is None
    assert db.session.get(ImportJob, job_id).status == ImportStatus.CHECKED


def test_discard_removes_the_file_and_imports_nothing(client, admin, app):
    job_id = job_id_of(upload(client, xlsx([row()])))
    assert stored_files(app, job_id)
    before = agreement_count()
    response = client.post(f"/agreements/import/jobs/{job_id}/discard", follow_redirects=True)
    assert "dibatalkan; tidak ada yang disimpan" in response.get_data(as_text=True)
    assert not stored_files(app, job_id)
    response = confirm(client, job_id, follow_redirects=True)
    assert "Impor ini sudah dibatalkan." in response.get_data(as_text=True)
    assert agreement_count() == before


def test_job_urls_take_only_numbers(client, admin):
    assert client.post("/agreements/import/jobs/..%2F..%2Fsecret_key/confirm").status_code == 404
    assert client.get("/agreements/import/jobs/999999").status_code == 404


# --- who may import -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["opd", "pimpinan"])
def test_only_admins_import(client, auth, world, who):
    auth.login(getattr(world, who))
    before = agreement_count()
    assert client.get("/agreements/import/template.xlsx").status_code == 403
    assert client.get("/agreements/import").status_code == 403
    assert upload(client, xlsx([row()])).status_code == 403
    assert confirm(client, 1).status_code == 403
    assert agreement_count() == before
    assert "Impor dari Excel" not in client.get("/agreements").get_data(as_text=True)


def test_admin_sees_the_import_button(client, admin):
    assert "Impor dari Excel" in client.get("/agreements").get_data(as_text=True)


# --- many rows: errors by row, one transaction, and what the import costs -------------------------


def partner_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Partner))


def test_200_rows_preview_and_import_with_errors_by_row(client, admin, world):
    for n in (1003, 1050, 1170):  # re-imported: updated, not duplicated
        factories.make_agreement(world.gov, title=f"Lama {n}", external_ref=f"KS-{n}")
    db.session.commit()
    agreements, partners = agreement_count(), partner_count()
    rows, expected, refused = [], [], set()
    for i in range(200):
        n, line = 1000 + i, i + 2
        values = row(
            f"KS-{n}",
            f"Kerja sama nomor {n}",
            Mitra="Pemerintah Provinsi DKI Jakarta; "
            + ("perumda baru" if i % 2 else "Perumda Baru"),
            **{"Nomor MoU": f"415.4/{n}/2024"},
        )
        if i % 40 == 7:
            values["Berakhir"] = date(2024, 1, 1)
            expected.append(f"Baris {line}, kolom Berakhir: Tanggal berakhir harus sesudah")
        elif i % 50 == 23:
            values["Sektor"] = "pangan; antariksa"
            expected.append(f"Baris {line}, kolom Sektor: Sektor tidak dikenal: antariksa.")
        elif i == 120:
            values["OPD pengampu"] = "XYZ"
            expected.append(f"Baris {line}, kolom OPD pengampu: Perangkat daerah dengan kode")
        else:
            rows.append(values)
            continue
        refused.add(n)
        rows.append(values)
    response = upload(client, xlsx(rows))
    body = response.get_data(as_text=True)
    for message in expected:
        assert message in body, message
    assert body.count("<li>Baris ") == len(expected)  # no other row is refused
    valid = 200 - len(refused)
    assert f"Impor {valid} baris" in body
    assert body.count(">Diperbarui</span>") == 3
    assert (agreement_count(), partner_count()) == (agreements, partners)  # preview kept nothing

    confirm(client, job_id_of(response))
    assert agreement_count() == agreements + valid - 3
    assert partner_count() == partners + 1  # "Perumda Baru" once, whatever its case
    assert by_ref("KS-1003", world.gov.id).title == "Kerja sama nomor 1003"
    assert by_ref(f"KS-{min(refused)}", world.gov.id) is None
    imported = by_ref("KS-1199", world.gov.id)
    assert sorted(p.name for p in imported.partners) == [
        "Pemerintah Provinsi DKI Jakarta",
        "Perumda Baru",
    ]
    assert [m.number_own for m in imported.mous] == ["415.4/1199/2024"]

    # The same file again: every valid row is an update; nothing new, no second MoU.
    mous = db.session.scalar(select(func.count()).select_from(Mou))
    response = upload(client, xlsx(rows))
    body = response.get_data(as_text=True)
    assert body.count(">Diperbarui</span>") == valid and ">Baru</span>" not in body
    confirm(client, job_id_of(response))
    assert agreement_count() == agreements + valid - 3
    assert db.session.scalar(select(func.count()).select_from(Mou)) == mous


def test_a_refused_rows_new_partner_is_not_reused_by_later_rows(client, admin, world):
    partners = partner_count()
    content = xlsx(
        [
            row("KS-001", Mitra="Mitra Kilat", Sektor="antariksa"),  # refused after the partner
            row("KS-002", Mitra="MITRA KILAT"),
        ]
    )
    response = upload(client, content)
    body = response.get_data(as_text=True)
    assert "Baris 2, kolom Sektor: Sektor tidak dikenal: antariksa." in body
    assert "Impor 1 baris" in body
    confirm(client, job_id_of(response))
    assert by_ref("KS-001", world.gov.id) is None
    assert [p.name for p in by_ref("KS-002", world.gov.id).partners] == ["MITRA KILAT"]
    assert partner_count() == partners + 1


def test_import_is_kept_only_when_the_caller_commits(app, world):
    """The rows join the caller's transaction: rolled back, nothing stays. (On SQLite a
    SAVEPOINT opened outside a transaction used to commit each row on its own.)"""
    db.session.commit()
    agreements, partners = agreement_count(), partner_count()
    content = xlsx([row("KS-001"), row("KS-002", Mitra="Mitra Baru Sekali")])
    rows = parse_rows(world.gov.id, read_table(content, "xlsx"))
    assert [r.number for r in import_rows(world.admin, rows)] == [2, 3]
    db.session.rollback()
    assert (agreement_count(), partner_count()) == (agreements, partners)


def test_non_ascii_partner_names_are_matched_by_the_service(app, world):
    factories.make_partner(world.gov, "Universitas Négeri Blitar")
    db.session.commit()
    partners = partner_count()
    content = xlsx([row("KS-001", Mitra="Universitas Négeri Blitar")])
    rows = parse_rows(world.gov.id, read_table(content, "xlsx"))
    import_rows(world.admin, rows)
    db.session.commit()
    assert [p.name for p in by_ref("KS-001", world.gov.id).partners] == [
        "Universitas Négeri Blitar"
    ]
    assert partner_count() == partners


def statements_to_import(government, actor, rows_values) -> int:
    """SQL statements of a preview and an import (rolled back) of ``rows_values``."""
    db.session.commit()
    content = xlsx(rows_values)
    with recorded_statements() as statements:
        for apply in (validate_rows, import_rows):
            rows = parse_rows(government.id, read_table(content, "xlsx"))
            apply(actor, rows)
            assert all(r.is_valid for r in rows), [r.messages() for r in rows]
            db.session.rollback()
    return len(statements)


def test_statements_grow_linearly_with_rows_and_not_with_partners(app, world):
    for n in range(5):  # agreements the file updates, with their milestones
        agreement = factories.make_agreement(world.gov, external_ref=f"KS-{n}")
        factories.make_mou(agreement, number_own=f"415.4/{n}/2024")
    db.session.commit()

    def rows(count: int, partners: str = "Pemerintah Provinsi DKI Jakarta"):
        return [
            row(f"KS-{n}", Mitra=partners, **{"Nomor MoU": f"415.4/{n}/2024"}) for n in range(count)
        ]

    small = statements_to_import(world.gov, world.admin, rows(10))
    large = statements_to_import(world.gov, world.admin, rows(40))
    assert large <= 4 * small  # linear, with nothing repeated per row that could be read once
    # Recorded partners are read once, not looked up row by row.
    three = "Pemerintah Provinsi DKI Jakarta; " + "; ".join(
        factories.make_partner(world.gov).name for _ in range(2)
    )
    assert statements_to_import(world.gov, world.admin, rows(10, three)) == small
