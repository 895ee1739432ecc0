"""tasks follow the work: generated tasks close with their step, move with its date, and are
held with their agreement

``task``: ``completed_by`` (the milestone kind that completes it), ``due_in_working_days``
(how its due date is counted from its step), ``awaits_lead_agency`` (given to Bagian
Pemerintahan for want of an OPD pengampu), ``closure``/``closed_by_kind``/``closed_by_id``
(closed by a step, by the deletion of its own step, or with its agreement), ``held_status``/
``held_on`` (what to restore when its agreement resumes or reopens); a new status ``paused``
(the tally gets a state of that name). ``task_template.completed_by``: the shipped defaults get
theirs by key, and the tasks they created get their template's. ``agreement.visit_planned_on``:
the agenda of a planned visit. The reminder rules get ``rescheduled`` (the notice that a
deadline moved with its step).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 20:18:05.416337

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_TASK_STATUSES = ('open', 'in_progress', 'done', 'cancelled')
NEW_TASK_STATUSES = OLD_TASK_STATUSES + ('paused',)
OLD_TALLY_STATES = ('open', 'on_time', 'late', 'cancelled')
NEW_TALLY_STATES = OLD_TALLY_STATES + ('paused',)
OLD_RULES = ('due_soon', 'due_today', 'overdue', 'escalation', 'ending', 'import')
NEW_RULES = OLD_RULES + ('rescheduled',)

# The shipped defaults that a recorded step completes (``playbooks.defaults``).
COMPLETED_BY = {
    'visit.draft_kb': 'mou',
    'mou.draft_pks': 'pks',
    'pks.first_transaction': 'transaction',
    'mou_ending.evaluation': 'mou',
    'pks_ending.evaluation': 'pks',
}


def _check(table, column, constraint, values):
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_{constraint}'), type_='check')
        batch_op.create_check_constraint(
            op.f(f'ck_{table}_{constraint}'), sa.text(f"{column} IN ({listed})")
        )


def upgrade():
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_planned_on', sa.Date(), nullable=True))

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_by', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('due_in_working_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('awaits_lead_agency', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('closure', sa.Enum('step', 'source_deleted', 'agreement', name='task_closure', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('closed_by_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('held_status', sa.Enum(*NEW_TASK_STATUSES, name='task_held_status', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('held_on', sa.Date(), nullable=True))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.alter_column('awaits_lead_agency', server_default=None)
    _check('task', 'status', 'task_status', NEW_TASK_STATUSES)
    _check('task_tally', 'state', 'task_tally_state', NEW_TALLY_STATES)
    for table in ('notification', 'outbox'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('rule', type_=sa.String(length=11), existing_nullable=False)
        _check(table, 'rule', 'rule', NEW_RULES)

    with op.batch_alter_table('task_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_by', sa.String(length=20), nullable=True))

    template = sa.table('task_template', sa.column('key'), sa.column('completed_by'), sa.column('id'))
    for key, kind in COMPLETED_BY.items():
        op.execute(template.update().where(template.c.key == key).values(completed_by=kind))
    # The tasks the shipped templates created wait for the same step. (Tasks whose step was
    # recorded already are closed by the next daily sweep, through the app's own rules.)
    task = sa.table('task', sa.column('template_id'), sa.column('completed_by'))
    op.execute(
        task.update()
        .where(task.c.template_id.is_not(None))
        .values(
            completed_by=sa.select(template.c.completed_by)
            .where(template.c.id == task.c.template_id)
            .scalar_subquery()
        )
    )


def downgrade():
    # Paused tasks go back to what they were before their agreement was stalled.
    op.execute(sa.text(
        "UPDATE task SET status = COALESCE(held_status, 'open') WHERE status = 'paused'"
    ))
    op.execute(sa.text("DELETE FROM task_tally WHERE state = 'paused'"))
    op.execute(sa.text("DELETE FROM notification WHERE rule = 'rescheduled'"))
    op.execute(sa.text("DELETE FROM outbox WHERE rule = 'rescheduled'"))
    for table in ('outbox', 'notification'):
        _check(table, 'rule', 'rule', OLD_RULES)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('rule', type_=sa.String(length=10), existing_nullable=False)
    _check('task_tally', 'state', 'task_tally_state', OLD_TALLY_STATES)
    _check('task', 'status', 'task_status', OLD_TASK_STATUSES)
    # (The tally of the tasks restored above is recounted by ``tasks.tally.rebuild``.)

    with op.batch_alter_table('task_template', schema=None) as batch_op:
        batch_op.drop_column('completed_by')

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_task_task_held_status'), type_='check')
        batch_op.drop_constraint(op.f('ck_task_task_closure'), type_='check')
        batch_op.drop_column('held_on')
        batch_op.drop_column('held_status')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('closed_by_kind')
        batch_op.drop_column('closure')
        batch_op.drop_column('awaits_lead_agency')
        batch_op.drop_column('due_in_working_days')
        batch_op.drop_column('completed_by')

    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_column('visit_planned_on')
