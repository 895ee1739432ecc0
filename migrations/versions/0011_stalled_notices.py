"""stalled notices: the reminder rule ``dormant``

The daily sweep tells the admins once a month about each stalled agreement ("mandek"): the
outbox and the notifications get the rule ``dormant`` (item kind ``agreement``). Only the rule's
CHECK constraint widens; the column already holds 11 characters.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD_RULES = ('due_soon', 'due_today', 'overdue', 'escalation', 'ending', 'import', 'rescheduled')
NEW_RULES = OLD_RULES + ('dormant',)


def _rule_check(table, values):
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_rule'), type_='check')
        batch_op.create_check_constraint(op.f(f'ck_{table}_rule'), sa.text(f"rule IN ({listed})"))


def upgrade():
    for table in ('notification', 'outbox'):
        _rule_check(table, NEW_RULES)


def downgrade():
    op.execute(sa.text("DELETE FROM notification WHERE rule = 'dormant'"))
    op.execute(sa.text("DELETE FROM outbox WHERE rule = 'dormant'"))
    for table in ('outbox', 'notification'):
        _rule_check(table, OLD_RULES)
