"""The tasks web UI through the test client, as the real users: "Tugas Saya" for an OPD head,
the government's task list for admin and pimpinan, the task form and the status form.

Time is pinned with ``KERJASAMA_NOW``: "today" and "overdue" are decided in the government's
own time zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Task, TaskStatus
from tests import factories
from tests.sql_helpers import recorded_statements

# 1 October 2025, 10.00 WIB: world.task (due 30 September) is one day overdue.
NOW = "2025-10-01T10:00:00+07:00"


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


def html(response) -> str:
    return response.get_data(as_text=True)


def positions(page: str, *titles: str) -> list[int]:
    found = [page.find(title) for title in titles]
    assert all(index >= 0 for index in found), dict(zip(titles, found, strict=True))
    return found


def task_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Task))


def fresh(task: Task) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task.id)


def task_logs(task: Task) -> list[ActivityLog]:
    return list(
        db.session.scalars(
            select(ActivityLog)
            .where(ActivityLog.entity == "task", ActivityLog.entity_id == task.id)
            .order_by(ActivityLog.id)
        )
    )


def field_error(page: str, message: str) -> bool:
    """The message is shown as a field's feedback (next to the field), not only in a banner."""
    return (
        re.search(r'class="invalid-feedback[^"]*"[^>]*>\s*' + re.escape(message), page) is not None
    )


@pytest.fixture
def opd_tasks(world):
    """Tasks of the OPD's agency with different due dates and statuses, and others' tasks."""
    world.task.title = "Menyusun draf PKS pasokan beras"  # due 30 September 2025: 1 day late
    tasks = {
        "later": factories.make_task(
            world.agreement,
            world.agency,
            title="Rapat koordinasi Food Station",
            due_on=date(2025, 10, 20),
        ),
        "very_late": factories.make_task(
            world.agreement,
            world.agency,
            title="Mengirim data produksi telur",
            due_on=date(2025, 9, 10),
            status=TaskStatus.IN_PROGRESS,
        ),
        "done": factories.make_task(
            world.agreement,
            world.agency,
            title="Survei pasar induk Kramat Jati",
            due_on=date(2025, 9, 1),
            status=TaskStatus.DONE,
            note="Sudah dilaksanakan",
        ),
        "other_agency": factories.make_task(
            world.agreement,
            world.other_agency,
            title="Kajian RPJMD Bappeda",
            due_on=date(2025, 9, 5),
        ),
    }
    world.other_task.title = "Tugas Kabupaten Malang"
    db.session.commit()
    return tasks


# --- Tugas Saya (OPD) ---------------------------------------------------------------------------


def test_opd_sees_own_open_tasks_overdue_first(client, auth, world, opd_tasks):
    auth.login(world.opd)
    response = client.get("/tasks")
    assert response.status_code == 200
    page = html(response)
    assert "Tugas Saya" in page
    a, b, c = positions(
        page,
        "Mengirim data produksi telur",  # overdue by 21 days
        "Menyusun draf PKS pasokan beras",  # overdue by 1 day
        "Rapat koordinasi Food Station",  # due later
    )
    assert a < b < c
    assert "Terlambat 21 hari" in page and "Terlambat 1 hari" in page
    assert "10 September 2025" in page and "20 Oktober 2025" in page
    assert "2 tugas sudah lewat tenggat" in page
    assert page.count('class="overdue-row"') == 2
    # Done tasks only on request; other agencies' and other governments' tasks never.
    for hidden in (
        "Survei pasar induk Kramat Jati",
        "Kajian RPJMD Bappeda",
        "Tugas Kabupaten Malang",
    ):
        assert hidden not in page


def test_opd_list_leaves_out_the_opd_column_and_labels_each_cell_for_a_phone(
    client, auth, world, opd_tasks
):
    # An OPD head sees only the own agency's tasks: no OPD column. Every other cell carries
    # its column name, which app.css shows on a phone where each task is a card.
    auth.login(world.opd)
    page = html(client.get("/tasks"))
    assert '<th scope="col">OPD</th>' not in page and 'data-label="OPD"' not in page
    assert page.count('data-label="Tenggat"') == page.count('data-label="Status"') > 0
    auth.logout()
    auth.login(world.admin)
    page = html(client.get("/tasks"))
    assert '<th scope="col">OPD</th>' in page
    assert page.count('data-label="OPD"') == page.count('data-label="Tenggat"') > 0


def test_admin_filters_fold_behind_a_button_that_counts_them(client, auth, world, opd_tasks):
    auth.login(world.admin)
    page = html(client.get("/tasks"))
    assert 'data-bs-target="#filter"' in page and "(tidak ada yang aktif)" in page
    page = html(client.get("/tasks?status=terlambat&period=&agency=" + str(world.opd.agency_id)))
    assert "2 aktif" in page
    assert 'class="collapse d-md-block" id="filter"' in page


def test_opd_can_show_done_tasks_too(client, auth, world, opd_tasks):
    auth.login(world.opd)
    page = html(client.get("/tasks?selesai=1"))
    late, later, done = positions(
        page,
        "Menyusun draf PKS pasokan beras",
        "Rapat koordinasi Food Station",
        "Survei pasar induk Kramat Jati",
    )
    assert late < later < done
    assert "Kajian RPJMD Bappeda" not in page


def test_opd_filters_in_the_url_cannot_widen_the_list(client, auth, world, opd_tasks):
    auth.login(world.opd)
    page = html(client.get(f"/tasks?agency={world.other_agency.id}&status=open"))
    assert "Kajian RPJMD Bappeda" not in page
    assert "Tugas Saya" in page


def test_opd_without_open_tasks_gets_a_kind_empty_state(client, auth, world):
    world.task.status = TaskStatus.DONE
    world.task.note = "Beres"
    db.session.commit()
    auth.login(world.opd)
    page = html(client.get("/tasks"))
    assert "Tidak ada tugas terbuka untuk OPD Anda. Bagus!" in page
    assert "Lihat tugas yang sudah selesai" in page


# --- the government's task list (admin, pimpinan) ----------------------------------------------


def test_admin_sees_all_tasks_of_the_government(client, auth, world, opd_tasks):
    auth.login(world.admin)
    page = html(client.get("/tasks"))
    assert "Tugas Tindak Lanjut" in page
    for title in ("Kajian RPJMD Bappeda", "Survei pasar induk Kramat Jati", "Rapat koordinasi"):
        assert title in page
    assert "Tugas Kabupaten Malang" not in page
    assert ">5 tugas<" in page
    # Overdue first (all three overdue ones), then open, then done.
    bappeda, very_late, late, later, done = positions(
        page,
        "Kajian RPJMD Bappeda",  # due 5 September
        "Mengirim data produksi telur",  # due 10 September
        "Menyusun draf PKS pasokan beras",
        "Rapat koordinasi Food Station",
        "Survei pasar induk Kramat Jati",
    )
    assert bappeda < very_late < late < later < done
    assert f'href="/agreements/{world.agreement.id}"' in page


@pytest.mark.parametrize(
    ("query", "shown", "not_shown"),
    [
        (
            "agency={other_agency}",
            ["Kajian RPJMD Bappeda"],
            ["Menyusun draf PKS", "Rapat koordinasi"],
        ),
        (
            "status=terlambat",
            ["Mengirim data produksi telur", "Kajian RPJMD Bappeda", "Menyusun draf PKS"],
            ["Rapat koordinasi", "Survei pasar induk"],
        ),
        ("status=done", ["Survei pasar induk"], ["Menyusun draf PKS", "Rapat koordinasi"]),
        ("status=in_progress", ["Mengirim data produksi telur"], ["Menyusun draf PKS"]),
        # 1 October 2025 is a Wednesday: this week is 29 September .. 5 October.
        ("period=minggu-ini", ["Menyusun draf PKS"], ["Rapat koordinasi", "Kajian RPJMD"]),
        ("period=bulan-ini", ["Rapat koordinasi"], ["Menyusun draf PKS", "Survei pasar induk"]),
        (
            "period=terlambat",
            ["Kajian RPJMD Bappeda", "Menyusun draf PKS"],
            ["Survei pasar induk", "Rapat koordinasi"],
        ),
        ("agreement={agreement}", ["Menyusun draf PKS", "Kajian RPJMD"], []),
        ("agreement={other_agreement}", [], ["Menyusun draf PKS", "Tugas Kabupaten Malang"]),
        ("status=rubbish&agency=x&period=kemarin", ["Menyusun draf PKS", "Survei pasar"], []),
    ],
)
def test_admin_filters(client, auth, world, opd_tasks, query, shown, not_shown):
    auth.login(world.admin)
    url = "/tasks?" + query.format(
        other_agency=world.other_agency.id,
        agreement=world.agreement.id,
        other_agreement=world.other_agreement.id,
    )
    response = client.get(url)
    assert response.status_code == 200
    page = html(response)
    for title in shown:
        assert title in page, (url, title)
    for title in not_shown:
        assert title not in page, (url, title)


def test_filtered_to_nothing_says_so(client, auth, world, opd_tasks):
    auth.login(world.admin)
    page = html(client.get(f"/tasks?agreement={world.other_agreement.id}"))
    assert "Tidak ada tugas yang cocok dengan filter ini" in page


def test_admin_list_is_paginated_and_keeps_filters(app, client, auth, world, opd_tasks):
    app.config["PAGE_SIZE"] = 2
    auth.login(world.admin)
    page = html(client.get("/tasks?status=terlambat"))
    assert "Menampilkan 1–2 dari 3 tugas" in page
    assert "status=terlambat" in page and "page=2" in page
    second = html(client.get("/tasks?status=terlambat&page=2"))
    assert "Menampilkan 3–3 dari 3 tugas" in second
    assert "Menyusun draf PKS pasokan beras" in second
    past_the_end = html(client.get("/tasks?status=terlambat&page=9"))
    assert "Menampilkan 3–3 dari 3 tugas" in past_the_end


def test_pimpinan_reads_the_list_but_is_offered_no_changes(client, auth, world, opd_tasks):
    auth.login(world.pimpinan)
    page = html(client.get("/tasks"))
    assert "Tugas Tindak Lanjut" in page and "Kajian RPJMD Bappeda" in page
    detail = html(client.get(f"/tasks/{world.task.id}"))
    assert "Perbarui status" not in detail and "/edit" not in detail


def test_list_queries_do_not_grow_with_the_rows(client, auth, world):
    auth.login(world.admin)
    db.session.expire_all()
    with recorded_statements(selects_only=True) as few:
        assert client.get("/tasks").status_code == 200
    for n in range(12):
        agency = factories.make_agency(world.gov)
        agreement = factories.make_agreement(world.gov, agency)
        factories.make_task(agreement, agency, due_on=date(2025, 9, 1 + n))
    db.session.commit()
    db.session.expire_all()
    with recorded_statements(selects_only=True) as many:
        assert client.get("/tasks").status_code == 200
    assert len(many) == len(few), many


# --- overdue in the government's own time zone --------------------------------------------------


def test_overdue_is_decided_in_the_governments_zone(app, client, auth):
    """At 00.30 WITA on 2 October it is still 1 October in Jakarta: a task due on 1 October is
    overdue in Makassar's zone and not yet in Jakarta's."""
    app.config["KERJASAMA_NOW"] = "2025-10-01T23:30:00+07:00"
    wita = factories.make_government("73.71", "Kota Makassar", timezone="Asia/Makassar")
    wib = factories.make_government("35.73", "Kota Malang")
    users = {}
    for gov in (wita, wib):
        agency = factories.make_agency(gov, "DKP")
        agreement = factories.make_agreement(gov, agency, title="Pasokan ikan")
        factories.make_task(agreement, agency, title="Laporan pasokan", due_on=date(2025, 10, 1))
        users[gov.timezone] = factories.make_user(gov, Role.OPD, agency=agency)
    db.session.commit()

    auth.login(users["Asia/Makassar"])
    page = html(client.get("/tasks"))
    assert "Terlambat 1 hari" in page and 'class="overdue-row"' in page
    auth.logout()

    auth.login(users["Asia/Jakarta"])
    page = html(client.get("/tasks"))
    assert "Laporan pasokan" in page
    assert "Terlambat" not in page and "overdue-row" not in page


# --- creating and editing tasks (admin) ---------------------------------------------------------


def task_form(world, **kw):
    data = {
        "title": "Menyusun draf PKS pasokan telur",
        "description": "Koordinasi dengan Perumda Pasar Jaya",
        "agency": str(world.agency.id),
        "assignee": str(world.opd.id),
        "due_on": "2025-10-15",
    }
    data.update(kw)
    return data


def test_admin_creates_a_task(client, auth, world):
    auth.login(world.admin)
    form_page = html(client.get(f"/agreements/{world.agreement.id}/tasks/new"))
    assert "Tambah tugas tindak lanjut" in form_page and "OPD yang menindaklanjuti" in form_page
    # The lead agency is proposed; a blank option lets nothing be chosen by accident.
    assert f'<option selected value="{world.agency.id}">' in form_page
    assert '<option value="__None">— pilih OPD —</option>' in form_page
    before = task_count()
    response = client.post(f"/agreements/{world.agreement.id}/tasks/new", data=task_form(world))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agreements/{world.agreement.id}"
    assert task_count() == before + 1
    task = db.session.scalar(select(Task).where(Task.title == "Menyusun draf PKS pasokan telur"))
    assert task.agency_id == world.agency.id and task.assignee_id == world.opd.id
    assert task.due_on == date(2025, 10, 15) and task.status == TaskStatus.OPEN
    assert task.created_by_id == world.admin.id
    assert [log.action for log in task_logs(task)] == ["created"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agency": ""}, "Pilih perangkat daerah (OPD)."),
        ({"agency": "__None"}, "Pilih perangkat daerah (OPD)."),
        ({"agency": "999999"}, "Pilih perangkat daerah (OPD)."),
        ({"assignee": "999999"}, "Pilihan tidak tersedia."),
        ({"due_on": ""}, "Tanggal tenggat wajib diisi."),
        ({"title": "  "}, "Judul tugas wajib diisi."),
        ({"due_on": "2025-13-45"}, "Tanggal tidak sah."),
    ],
)
def test_task_without_agency_or_due_date_is_refused(client, auth, world, changes, message):
    auth.login(world.admin)
    before = task_count()
    data = task_form(world, **changes)
    response = client.post(f"/agreements/{world.agreement.id}/tasks/new", data=data)
    assert response.status_code == 200
    page = html(response)
    assert field_error(page, message), page
    assert "Belum ada yang disimpan" in page
    assert 'value="Koordinasi' in page or "Koordinasi dengan Perumda Pasar Jaya" in page  # kept
    assert task_count() == before


def test_assignee_of_another_agency_is_refused_next_to_the_field(client, auth, world):
    bappeda_head = factories.make_user(world.gov, Role.OPD, agency=world.other_agency)
    db.session.commit()
    auth.login(world.admin)
    before = task_count()
    response = client.post(
        f"/agreements/{world.agreement.id}/tasks/new",
        data=task_form(world, assignee=str(bappeda_head.id)),
    )
    assert response.status_code == 200
    assert field_error(html(response), "Penanggung jawab harus pengguna dari OPD yang dipilih.")
    assert task_count() == before


def test_no_new_task_on_a_closed_agreement(client, auth, world):
    world.agreement.stage = Stage.SELESAI
    db.session.commit()
    auth.login(world.admin)
    assert "tugas baru tidak dapat ditambahkan" in html(
        client.get(f"/agreements/{world.agreement.id}/tasks/new")
    )
    before = task_count()
    response = client.post(f"/agreements/{world.agreement.id}/tasks/new", data=task_form(world))
    assert response.status_code == 200
    assert "sudah selesai; tidak dapat diubah lagi" in html(response)
    assert task_count() == before


def test_task_form_is_for_admins_of_the_agreements_government(client, auth, world):
    auth.login(world.opd)
    assert client.get(f"/agreements/{world.agreement.id}/tasks/new").status_code == 403
    assert (
        client.post(
            f"/agreements/{world.agreement.id}/tasks/new", data=task_form(world)
        ).status_code
        == 403
    )
    auth.logout()
    auth.login(world.admin)
    before = task_count()
    url = f"/agreements/{world.other_agreement.id}/tasks/new"
    assert client.get(url).status_code == 404
    assert client.post(url, data=task_form(world)).status_code == 404
    assert task_count() == before


def test_admin_edits_a_task(client, auth, world):
    auth.login(world.admin)
    page = html(client.get(f"/tasks/{world.task.id}/edit"))
    assert (
        "Ubah tugas" in page
        and f'name="version" type="hidden" value="{world.task.version}"' in page
    )
    response = client.post(
        f"/tasks/{world.task.id}/edit",
        data=task_form(world, title="Judul baru", due_on="2025-11-03", version=world.task.version),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{world.task.id}"
    task = fresh(world.task)
    assert task.title == "Judul baru" and task.due_on == date(2025, 11, 3)
    detail = html(client.get(f"/tasks/{task.id}"))
    assert "Perubahan tugas disimpan." in detail
    assert "mengubah data tugas" in detail and "30 September 2025 → 3 November 2025" in detail


def test_stale_edit_is_a_conflict_and_saves_nothing(client, auth, world):
    auth.login(world.admin)
    stale = world.task.version
    world.task.due_on = date(2025, 10, 31)  # someone else's change
    db.session.commit()
    response = client.post(
        f"/tasks/{world.task.id}/edit",
        data=task_form(world, title="Judul saya", version=stale),
    )
    assert response.status_code == 200
    assert "sudah diubah oleh pengguna lain" in html(response)
    task = fresh(world.task)
    assert task.title != "Judul saya" and task.due_on == date(2025, 10, 31)


# --- the detail page and the status form --------------------------------------------------------


def test_detail_page_in_indonesian(client, auth, world):
    auth.login(world.opd)
    page = html(client.get(f"/tasks/{world.task.id}"))
    assert world.task.title in page
    assert "30 September 2025" in page and "Terlambat 1 hari" in page
    assert "Perbarui status" in page and "Catatan penyelesaian" in page
    assert "Sedang dikerjakan" in page and "Belum dikerjakan" in page
    assert "Dibatalkan" not in page  # only admins may cancel
    assert "Ubah</a>" not in page


def test_opd_marks_own_task_in_progress_then_done(app, client, auth, world):
    auth.login(world.opd)
    response = client.post(
        f"/tasks/{world.task.id}/status",
        data={"status": "in_progress", "note": "", "version": world.task.version},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{world.task.id}"
    task = fresh(world.task)
    assert task.status == TaskStatus.IN_PROGRESS

    response = client.post(
        f"/tasks/{task.id}/status",
        data={"status": "done", "note": "Draf PKS dikirim ke DKI", "version": task.version},
        follow_redirects=True,
    )
    page = html(response)
    assert "Status tugas diperbarui." in page
    task = fresh(world.task)
    assert task.status == TaskStatus.DONE and task.note == "Draf PKS dikirim ke DKI"
    assert task.done_at == datetime(2025, 10, 1, 3, 0, tzinfo=UTC)  # the pinned clock
    assert "1 Oktober 2025 10.00 WIB" in page  # done_at in the government's zone

    logs = task_logs(task)
    assert [log.action for log in logs] == ["status_changed", "status_changed"]
    assert all(log.actor_id == world.opd.id for log in logs)
    assert logs[-1].before["status"] == "in_progress" and logs[-1].after["status"] == "done"
    assert "memperbarui status" in page and "Sedang dikerjakan → Selesai" in page


def test_done_without_a_note_is_refused_next_to_the_note(client, auth, world):
    auth.login(world.opd)
    version = world.task.version
    response = client.post(
        f"/tasks/{world.task.id}/status", data={"status": "done", "note": " ", "version": version}
    )
    assert response.status_code == 200
    assert field_error(html(response), "Tuliskan catatan penyelesaian")
    task = fresh(world.task)
    assert task.status == TaskStatus.OPEN and task.version == version and task.done_at is None
    assert task_logs(task) == []


def test_stale_status_update_is_a_conflict(client, auth, world):
    auth.login(world.opd)
    stale = world.task.version
    world.task.status = TaskStatus.IN_PROGRESS  # the admin changed it meanwhile
    db.session.commit()
    response = client.post(
        f"/tasks/{world.task.id}/status",
        data={"status": "done", "note": "Sudah", "version": stale},
    )
    assert response.status_code == 200
    assert "sudah diubah oleh pengguna lain" in html(response)
    task = fresh(world.task)
    assert task.status == TaskStatus.IN_PROGRESS and task.note is None


def test_opd_cannot_update_another_agencys_task(client, auth, world):
    other = factories.make_task(world.agreement, world.other_agency, title="Kajian Bappeda")
    db.session.commit()
    auth.login(world.opd)
    # Readable (the OPD leads the agreement) but not theirs to update.
    page = html(client.get(f"/tasks/{other.id}"))
    assert "Kajian Bappeda" in page and "Perbarui status" not in page
    response = client.post(
        f"/tasks/{other.id}/status", data={"status": "done", "note": "x", "version": other.version}
    )
    assert response.status_code == 403
    task = fresh(other)
    assert task.status == TaskStatus.OPEN and task_logs(task) == []


def test_opd_cannot_read_a_task_outside_its_agreements(client, auth, world):
    agreement = factories.make_agreement(world.gov, world.other_agency, title="RPJMD")
    task = factories.make_task(agreement, world.other_agency)
    db.session.commit()
    auth.login(world.opd)
    assert client.get(f"/tasks/{task.id}").status_code == 403


def test_another_governments_task_is_not_found(client, auth, world):
    auth.login(world.admin)
    task_id = world.other_task.id
    assert client.get(f"/tasks/{task_id}").status_code == 404
    assert client.get(f"/tasks/{task_id}/edit").status_code == 404
    response = client.post(f"/tasks/{task_id}/status", data={"status": "done", "note": "x"})
    assert response.status_code == 404
    assert fresh(world.other_task).status == TaskStatus.OPEN


def test_opd_cannot_cancel_even_by_forging_the_form(client, auth, world):
    auth.login(world.opd)
    response = client.post(
        f"/tasks/{world.task.id}/status",
        data={"status": "cancelled", "note": "", "version": world.task.version},
    )
    assert response.status_code == 200
    assert field_error(html(response), "Hanya Bagian Pemerintahan yang dapat membatalkan tugas.")
    assert fresh(world.task).status == TaskStatus.OPEN


def test_admin_may_cancel(client, auth, world):
    auth.login(world.admin)
    assert "Dibatalkan" in html(client.get(f"/tasks/{world.task.id}"))
    response = client.post(
        f"/tasks/{world.task.id}/status",
        data={"status": "cancelled", "note": "Digabung dengan tugas lain", "version": 1},
    )
    assert response.status_code == 302
    assert fresh(world.task).status == TaskStatus.CANCELLED


def test_unknown_status_is_refused_in_indonesian(client, auth, world):
    auth.login(world.opd)
    response = client.post(
        f"/tasks/{world.task.id}/status", data={"status": "hilang", "version": 1}
    )
    assert response.status_code == 200
    assert field_error(html(response), "Pilih salah satu status yang tersedia.")


def test_pimpinan_cannot_post_a_status(client, auth, world):
    auth.login(world.pimpinan)
    response = client.post(
        f"/tasks/{world.task.id}/status",
        data={"status": "done", "note": "x", "version": world.task.version},
    )
    assert response.status_code == 403
    assert fresh(world.task).status == TaskStatus.OPEN


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/tasks?selesai=1", "/tasks?selesai=1"),
        ("https://evil.example/", "/tasks/{id}"),
        ("//evil.example/", "/tasks/{id}"),
    ],
)
def test_status_update_returns_to_a_safe_next(client, auth, world, next_url, expected):
    auth.login(world.opd)
    response = client.post(
        f"/tasks/{world.task.id}/status",
        data={"status": "in_progress", "version": world.task.version, "next": next_url},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected.format(id=world.task.id)


def test_list_links_carry_the_way_back(client, auth, world):
    auth.login(world.opd)
    page = html(client.get("/tasks"))
    assert f'href="/tasks/{world.task.id}?next=/tasks"' in page
    detail = html(client.get(f"/tasks/{world.task.id}?next=/tasks%3Fselesai%3D1"))
    assert 'name="next" type="hidden" value="/tasks?selesai=1"' in detail
