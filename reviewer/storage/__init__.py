"""Storage: engines, sessions, migrations, backups."""
