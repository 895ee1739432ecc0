"""weekly digest for leaders: the reminder rule ``weekly`` and a per-user opt-out

The daily sweep plans, on the government's digest day, one outbox row per leader (pimpinan),
channel and week with the rule ``weekly`` (item kind ``government``), sent as a message of its
own: "Perlu perhatian" and the week's changes. ``user_account.is_weekly_digest_enabled`` (on
for every existing user) lets a leader opt out on their account page. Only the rule's CHECK
constraint widens; the column already holds 11 characters. Downgrading deletes the weekly rows
and drops the column.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OLD_RULES = (
    'due_soon', 'due_today', 'overdue', 'escalation', 'ending', 'import', 'rescheduled',
    'dormant',
)
NEW_RULES = OLD_RULES + ('weekly',)


def _rule_check(table, values):
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_rule'), type_='check')
        batch_op.create_check_constraint(op.f(f'ck_{table}_rule'), sa.text(f"rule IN ({listed})"))


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'is_weekly_digest_enabled', sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )
    for table in ('notification', 'outbox'):
        _rule_check(table, NEW_RULES)


def downgrade():
    op.execute(sa.text("DELETE FROM notification WHERE rule = 'weekly'"))
    op.execute(sa.text("DELETE FROM outbox WHERE rule = 'weekly'"))
    for table in ('outbox', 'notification'):
        _rule_check(table, OLD_RULES)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('is_weekly_digest_enabled')
