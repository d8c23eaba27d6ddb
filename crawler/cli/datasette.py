"""`policywatch datasette-copy`: the publishable copy of the database that Datasette serves."""
from __future__ import annotations

from pathlib import Path

import click

from crawler.cli.common import db_path_option, fail, open_existing


@click.command("datasette-copy")
@db_path_option
@click.option("--out", default="var/datasette/policywatch.db", show_default=True, type=click.Path(dir_okay=False),
              help="The copy to write (replaced atomically).")
def datasette_copy(db_path: str, out: str) -> None:
    """Write the publishable copy of the database: documents, policies and their search index, without
    subscribers, digests or ops tables (storage/publishable.py lists what is withheld, and why).

    Serve it with: datasette serve --immutable var/datasette/policywatch.db
    --metadata deploy/datasette/metadata.yml --plugins-dir deploy/datasette/plugins

    Example: policywatch datasette-copy --db var/policywatch.db --out var/datasette/policywatch.db
    """
    from storage.publishable import write_publishable_copy

    try:
        counts = write_publishable_copy(open_existing(db_path), out)
    except ValueError as exc:
        fail(str(exc))
    note = "" if Path(out).name == "policywatch.db" else \
        " (deploy/datasette/metadata.yml is keyed to a file named policywatch.db)"
    click.echo(f"wrote {out}: {counts.get('documents', 0)} documents, {counts.get('policies', 0)} policies{note}")
