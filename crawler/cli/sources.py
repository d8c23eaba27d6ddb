"""`policywatch sources list`, `validate` and `check`: the configured sources, and what discovery finds on
a source's list page right now."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from crawler.cli.common import config_option, open_database, parse_pairs, sources_or_fail, var_option


@click.group()
def sources() -> None:
    """Inspect the configured sources."""


@sources.command("list")
@config_option
@var_option
def sources_list(config: str, variables: tuple[str, ...]) -> None:
    """List the sources of a sources file (validating it).

    Example: policywatch sources list --config demo/sources.yaml --var mirror=http://127.0.0.1:8765
    """
    for source in sources_or_fail(config, parse_pairs(variables, "--var")):
        region = "/".join(filter(None, (source.province, source.city))) or "-"
        state = "" if source.enabled else "  (disabled)"
        click.echo(f"{source.id:<22} {source.kind:<10} {source.level or '-':<10} {source.family or '-':<9} "
                   f"{region:<14} {source.name}{state}")


@sources.command("validate")
@config_option
@var_option
def sources_validate(config: str, variables: tuple[str, ...]) -> None:
    """Validate a sources file; prints one line and exits non-zero on the first problem.

    Example: policywatch sources validate --config config/sources.yaml
    """
    loaded = sources_or_fail(config, parse_pairs(variables, "--var"))
    click.echo(f"{config}: {len(loaded)} sources OK")


def _known(db: Any, urls: list[str]) -> set[str]:
    """The URLs among `urls` already stored in `db` (none without a database)."""
    if db is None:
        return set()
    from storage.documents import known_urls

    return known_urls(db, urls)


def print_check(result: Any, known: set[str]) -> None:
    """One source's check in full: page, family, every link with its date, next page, warnings."""
    click.echo(f"{result.source_id}: {result.url}")
    click.echo(f"  HTTP {result.status or '-'}, pages read {result.pages_read}, family declared "
               f"{result.family_declared or '-'}, detected {result.family_detected or '-'}")
    if result.error:
        click.echo(f"  error: {result.error}")
    click.echo(f"  {len(result.links)} article links{' (* = already stored)' if known else ''}:")
    for link in result.links:
        mark = "*" if link.url in known else " "
        click.echo(f"  {mark} {link.date or '----------'}  {link.title or '(no title)'}  {link.url}")
    click.echo(f"  next page: {result.next_page or '-'}")
    for warning in result.warnings:
        click.echo(f"  warning: {warning}")


@sources.command("check")
@click.argument("source_id", required=False, metavar="[ID]")
@config_option
@var_option
@click.option("--db", "db", default=None, envvar="POLICYWATCH_DB", type=click.Path(dir_okay=False),
              help="Mark the links already stored in this database.")
@click.option("--timeout", default=20.0, show_default=True, type=click.FloatRange(1), help="Seconds per request.")
def sources_check(source_id: str | None, config: str, variables: tuple[str, ...], db: str | None,
                  timeout: float) -> None:
    """Fetch a source's first list page now and show what discovery finds; without ID, one line per
    enabled source. Exits 1 when a source yields no article links.

    Example: policywatch sources check hunan-kjt
    """
    from crawler.check import check_source

    loaded = sources_or_fail(config, parse_pairs(variables, "--var"), [source_id] if source_id else None)
    chosen = loaded if source_id else [s for s in loaded if s.enabled]
    stored = open_database(db) if source_id and db and Path(db).exists() else None
    failed = 0
    for source in chosen:
        result = check_source(source, timeout)
        failed += not result.ok
        if source_id:
            print_check(result, _known(stored, [link.url for link in result.links]))
            continue
        dated = sum(1 for link in result.links if link.date)
        state = "ok" if result.ok else "NO LINKS" if not result.error else "ERROR"
        click.echo(f"{source.id:<22} {state:<8} HTTP {result.status or '-':<4} links {len(result.links):>3} "
                   f"dated {dated:>3} next {'yes' if result.next_page else 'no ':<3} "
                   f"family {result.family_detected or result.family_declared or '-':<9} "
                   f"{result.error or '; '.join(result.warnings[:1])}")
    if failed:
        raise SystemExit(1)
