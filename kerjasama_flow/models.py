"""Imports every domain's models, so that the metadata is complete wherever it is needed
(migrations, the schema check in tests). Models live in their domain packages."""

from kerjasama_flow.accounts.models import Agency, ApiToken, Government, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.models import (
    Agreement,
    AgreementSector,
    Mou,
    Partner,
    Pks,
    Transaction,
    Visit,
)
from kerjasama_flow.documents.models import Document
from kerjasama_flow.evaluations.models import Evaluation
from kerjasama_flow.imports.models import ImportJob
from kerjasama_flow.playbooks.models import TaskTemplate
from kerjasama_flow.reminders.models import Notification, Outbox
from kerjasama_flow.tasks import tally  # noqa: F401  (its session events keep TaskTally)
from kerjasama_flow.tasks.models import Task, TaskTally
from kerjasama_flow.workdays.models import DayOff

__all__ = [
    "ActivityLog",
    "DayOff",
    "Document",
    "Evaluation",
    "ImportJob",
    "Notification",
    "Outbox",
    "TaskTemplate",
    "Agency",
    "ApiToken",
    "Agreement",
    "AgreementSector",
    "Government",
    "Mou",
    "Partner",
    "Pks",
    "Task",
    "TaskTally",
    "Transaction",
    "User",
    "Visit",
]
