"""The API's report endpoints: the register of signed KB/PKS (the web's Daftar Kerja Sama,
``agreements.views.register``) and the dashboard's summary (``reports.views.dashboard``).

Thin: each calls the same domain functions as its web page, with the same user (the token's)
and so the same scope (``agreements.queries.visible_to``, ``reports.dashboard.task_scope``),
and only reshapes their dataclasses into the answers ``api.report_schemas`` describes. The
filters are the pages' own, given by id; a filter value that names nothing of the government
narrows to nothing (the web page, which offers only its choices, ignores it instead).
"""

from __future__ import annotations

from flask_login import current_user

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements import register as agreement_register
from kerjasama_flow.agreements.lifecycle import Stage, Standing
from kerjasama_flow.api import report_schemas
from kerjasama_flow.api.blueprint import bp, page, today
from kerjasama_flow.reports import attention, dashboard
from kerjasama_flow.reports.dashboard import DashboardFilters

# --- the register (Daftar Kerja Sama) ---------------------------------------------------------


@bp.route("/register")
@bp.arguments(report_schemas.RegisterQuery, location="query")
@bp.response(200, report_schemas.RegisterPage)
def register(query):
    """The register rows the token's user may read, narrowed as the register page narrows
    them (``agreements.register.narrow``), newest signing first."""
    standing = query.get("standing")
    filters = agreement_register.RegisterFilters(
        kind=query.get("kind"),
        standing=Standing(standing) if standing else None,
        year=query.get("year"),
        partner_id=query.get("partner"),
        q=(query.get("q") or "").strip() or None,
    )
    rows = agreement_register.narrow(
        agreement_register.register_rows(current_user, today()), filters
    )
    result = page(rows, query)
    result["items"] = [_register_item(row) for row in result["items"]]
    return result


def _register_item(row: agreement_register.RegisterRow) -> dict:
    return {
        "kind": row.kind,
        "kind_label": row.kind_label,
        "id": row.document_id,
        "milestone_kind": report_schemas.MILESTONE_KINDS[row.kind],
        "title": row.title,
        "agreement_id": row.agreement.id,
        "agreement_title": row.agreement.title,
        "number_own": row.number_own,
        "number_partner": row.number_partner,
        "party_own": row.party_own,
        "party_partner": row.party_partner,
        "partner_ids": [partner.id for partner in row.agreement.partners],
        "agency_ids": list(row.agency_ids),
        "signed_on": row.signed_on,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "standing": row.standing.value,
        "standing_label": row.standing.label,
    }


# --- the dashboard's summary ------------------------------------------------------------------


@bp.route("/summary")
@bp.arguments(report_schemas.SummaryQuery, location="query")
@bp.response(200, report_schemas.SummarySchema)
def summary(query):
    """The web dashboard's figures for the token's user, computed by the dashboard's own
    functions in the same order as ``reports.views.dashboard_page``."""
    filters = DashboardFilters(
        year=query.get("year"),
        sector=query.get("sector"),
        partner_id=query.get("partner"),
        agency_id=query.get("agency"),
    )
    zone = current_user.government.timezone
    day = today()
    agencies = dashboard.agency_accountability(current_user, filters, day, zone)
    realised = dashboard.realisation(current_user, filters, day)
    figures = dashboard.figures(current_user, filters, day, agencies, realised)
    found = attention.attention(current_user, filters, day, zone, agencies)
    is_opd = current_user.role == Role.OPD
    return {
        "as_of": day,
        "filters": {
            "year": filters.year,
            "sector": filters.sector,
            "partner": filters.partner_id,
            "agency": filters.agency_id,
            "active_count": filters.active_count,
        },
        "scope": {
            "role": current_user.role.value,
            "agency_id": current_user.agency_id if is_opd else None,
        },
        "agreements": {
            "total": figures.agreements,
            "by_stage": [
                {"stage": stage.value, "label": stage.label, "count": figures.by_stage[stage]}
                for stage in Stage
            ],
        },
        "documents": {"active_kb": figures.active_mou, "active_pks": figures.active_pks},
        "tasks": {
            "open": figures.open_tasks,
            "overdue": figures.overdue_tasks,
            "due_this_week": figures.due_this_week,
            "done": figures.done_tasks,
            "done_on_time": figures.done_on_time,
            "done_late": figures.done_late,
        },
        "realisation": {
            "year": realised.year,
            "previous_year": realised.year - 1,
            "current": realised.current,
            "previous": realised.previous,
            "items": [
                {"key": key, "label": label, "current": now, "previous": before}
                for key, label, now, before in realised.rows()
            ],
        },
        "agencies": [_agency_item(row) for row in agencies],
        "attention": _attention(found, with_contacts=not is_opd),
    }


def _agency_item(row: dashboard.AgencyRow) -> dict:
    return {
        "agency_id": row.agency_id,
        "code": row.code,
        "name": row.name,
        "open": row.open,
        "overdue": row.overdue,
        "done": row.done,
        "done_on_time": row.done_on_time,
        "done_late": row.done_late,
        "due_this_week": row.due_this_week,
        "on_time_percent": row.on_time_percent,
        "oldest_overdue_title": row.oldest_title,
        "oldest_overdue_days": row.oldest_days,
    }


def _attention(found: attention.Attention, *, with_contacts: bool) -> dict:
    """The "perlu perhatian" lists. The head's contact of a lagging OPD comes with it where
    the web page offers the WhatsApp/e-mail nudge: not to an OPD head."""
    return {
        "count": found.count,
        "headings": dict(attention.HEADINGS),
        "stalled": [
            {
                "agreement_id": item.agreement_id,
                "title": item.title,
                "reasons": [
                    {"key": key, "label": label}
                    for key, label in zip(item.reason_keys, item.reasons, strict=True)
                ],
                "overdue_steps": item.overdue_steps,
                "waiting_since": item.waiting_since,
            }
            for item in found.stalled
        ],
        "agencies": [
            {
                "agency_id": agency.agency_id,
                "code": agency.code,
                "name": agency.name,
                "overdue": agency.overdue,
                "open": agency.open,
                "oldest_overdue_title": agency.oldest_title,
                "oldest_overdue_days": agency.oldest_days,
                "contact": (
                    {"head_name": agency.head_name, "email": agency.email, "phone": agency.phone}
                    if with_contacts
                    else None
                ),
            }
            for agency in found.agencies
        ],
        "ending": [
            {
                "document_kind": doc.document_kind,
                "document_id": doc.document_id,
                "label": doc.kind,
                "agreement_id": doc.agreement_id,
                "agreement_title": doc.agreement_title,
                "ends_on": doc.ends_on,
                "days_left": doc.days_left,
            }
            for doc in found.ending
        ],
        "unreported": [
            {
                "document_kind": doc.document_kind,
                "document_id": doc.document_id,
                "label": doc.label,
                "agreement_id": doc.agreement_id,
                "agreement_title": doc.agreement_title,
                "signed_on": doc.signed_on,
                "days_since": doc.days_since,
                "recipient": doc.recipient,
            }
            for doc in found.unreported
        ],
    }
