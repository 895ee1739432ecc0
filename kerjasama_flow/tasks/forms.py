"""Forms of the tasks domain: create/edit a task, update its status, filter the list."""

from __future__ import annotations

from datetime import date

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from kerjasama_flow.accounts.forms import own_agencies
from kerjasama_flow.accounts.models import Role, User
from kerjasama_flow.db import max_length
from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import (
    BaseForm,
    FilterForm,
    QuerySelectField,
    choice,
    date_field,
    form_values,
    positive_int,
    required,
    version_field,
)
from kerjasama_flow.tasks import queries
from kerjasama_flow.tasks.models import Task, TaskStatus
from kerjasama_flow.tasks.services import may_hold, task_checks


def assignable_users() -> list[User]:
    """Who may be named responsible: active admin and OPD users of the own government."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.government_id == current_user.government_id,
                User.is_active.is_(True),
                User.role.in_((Role.ADMIN, Role.OPD)),
            )
            .options(selectinload(User.agency))
            .order_by(User.name)
        )
    )


def user_label(user: User) -> str:
    if user.agency is not None:
        return f"{user.name} ({user.agency.code})"
    return f"{user.name} (Bagian Pemerintahan)"


class TaskForm(BaseForm):
    """A task of an agreement, created or edited by Bagian Pemerintahan. The assignee's
    options say which OPD they belong to (``data-agency``; "any" for Bagian Pemerintahan,
    who may hold any task), and ``static/forms.js`` shows only those of the chosen OPD; the
    options of another OPD are rendered hidden already. The service refuses a mismatch."""

    title = StringField(
        "Judul tugas",
        validators=[
            required("Judul tugas wajib diisi."),
            Length(
                max=max_length(Task.title),
                message=f"Judul tugas paling panjang {max_length(Task.title)} karakter.",
            ),
        ],
        description='Apa yang harus ditindaklanjuti, mis. "Menyusun draf PKS pasokan beras".',
    )
    description = TextAreaField("Uraian", validators=[Optional()], render_kw={"rows": 4})
    # A blank first option, so that a forgotten agency is refused instead of silently taking
    # the first one in the list.
    agency = QuerySelectField(
        "OPD yang menindaklanjuti",
        query_factory=own_agencies,
        get_label="label",
        allow_blank=True,
        blank_text="— pilih OPD —",
        validators=[DataRequired("Pilih perangkat daerah (OPD).")],
    )
    assignee = QuerySelectField(
        "Penanggung jawab",
        query_factory=assignable_users,
        get_label=user_label,
        allow_blank=True,
        blank_text="— tidak ditentukan —",
        validators=[Optional()],
        description="Opsional. Hanya pengguna dari OPD yang dipilih, atau Bagian Pemerintahan.",
        render_kw={"data-follows": "agency"},
    )
    due_on = date_field("Tenggat", is_required=True, message="Tanggal tenggat wajib diisi.")
    version = version_field()
    submit = SubmitField("Simpan")

    def __init__(self, *args, today: date, task: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.task = task
        self.assignee.get_render_kw = self._assignee_option

    def _assignee_option(self, user: User) -> dict[str, str | bool]:
        holds_any = user.role != Role.OPD
        attributes: dict[str, str | bool] = {
            "data-agency": "any" if holds_any else str(user.agency_id)
        }
        agency = self.agency.data
        fits = agency is not None and may_hold(user, agency)
        if not holds_any and not fits and user != self.assignee.data:
            attributes["hidden"] = True
        return attributes

    def rule_checks(self):
        return task_checks(
            current_user.government_id,
            form_values(self),
            self.today,
            due_on_before=self.task.due_on if self.task is not None else None,
        )


# Offered in this order; "Dibatalkan" only to admins (the service refuses it for others).
STATUS_CHOICES = (TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.OPEN)


def _known_status(form, field) -> None:
    if field.data not in {status.value for status in TaskStatus}:
        raise ValidationError("Pilih salah satu status yang tersedia.")


class StatusForm(BaseForm):
    edits_record = True  # only ever acts on an existing record: its version is required
    status = SelectField(
        "Status", validate_choice=False, validators=[required("Pilih status."), _known_status]
    )
    note = TextAreaField(
        "Catatan penyelesaian",
        validators=[Optional()],
        render_kw={"rows": 3},
        description="Wajib bila status Selesai: apa yang sudah dikerjakan dan hasilnya.",
    )
    version = version_field()
    next = HiddenField()
    submit = SubmitField("Simpan status")

    def offer_statuses(self, with_cancel: bool, is_paused: bool = False) -> None:
        """The statuses offered; "Ditunda" only for a task paused with its agreement, so that
        the form shows what the task is (nobody pauses a task by hand)."""
        statuses = [*STATUS_CHOICES, TaskStatus.CANCELLED] if with_cancel else [*STATUS_CHOICES]
        if is_paused:
            statuses.insert(0, TaskStatus.PAUSED)
        self.status.choices = [choice(status.value, status.label) for status in statuses]


ALL = ""


class TaskFilterForm(FilterForm):
    """The filter row above the admin's and pimpinan's task list (GET, no CSRF needed)."""

    agency = SelectField("OPD", validate_choice=False)
    status = SelectField("Status", validate_choice=False)
    agreement = SelectField("Kerja sama", validate_choice=False)
    period = SelectField("Tenggat", validate_choice=False)

    def fill_choices(self, user: User) -> None:
        self.agency.choices = [choice(ALL, "Semua OPD")] + [
            choice(str(pk), label) for pk, label in queries.agency_choices(user)
        ]
        self.status.choices = [
            choice(ALL, "Semua status"),
            choice(queries.OVERDUE, "Terlambat"),
            *[choice(status.value, status.label) for status in TaskStatus],
        ]
        self.agreement.choices = [choice(ALL, "Semua kerja sama")] + [
            choice(str(pk), title) for pk, title in queries.agreement_choices(user)
        ]
        self.period.choices = [
            choice(ALL, "Kapan saja"),
            *[choice(value, label) for value, label in queries.PERIOD_LABELS.items()],
        ]

    def filters(self) -> queries.TaskFilters:
        """What was asked for; unknown values are ignored rather than refused."""
        statuses = {status.value for status in TaskStatus} | {queries.OVERDUE}
        return queries.TaskFilters(
            agency_id=positive_int(self.agency.data),
            status=self.status.data if self.status.data in statuses else None,
            agreement_id=positive_int(self.agreement.data),
            period=self.period.data if self.period.data in queries.PERIOD_LABELS else None,
        )
