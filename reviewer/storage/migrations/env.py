"""Alembic environment: runs on the connection the app hands over (see reviewer.storage.migrate)."""

from alembic import context

from reviewer.models import complete_metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=complete_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
