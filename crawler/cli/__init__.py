"""The `policywatch` command: thin click wrappers that parse arguments and call functions.

Every command is added here, explicitly; one module per command family, each importing only
`crawler.cli.common` from this package. Commands that live outside the product (the demo) are
declared as entry points of the group `policywatch.commands` and added at start-up.
"""
from __future__ import annotations

from importlib.metadata import entry_points

import click

from crawler.cli import crawl, datasette, digest, distributed, ops, policies, publish, sources
from crawler.cli.common import CommandGroup

PLUGIN_GROUP = "policywatch.commands"


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policywatch")
def main() -> None:
    """policywatch: watch Chinese government and aggregator sites for high-tech policies.

    \b
    Exit status:
      0  done
      1  the command ran and found a problem it reports (status: a source is unhealthy;
         digest: the mail server failed; sources check: a source shows no links)
      2  a bad argument or file, or (crawl) every source failed or was blocked
      3  the database cannot be used: not a database, corrupt (PRAGMA quick_check), locked by
         another process for longer than the busy timeout (30 s, or $POLICYWATCH_BUSY_TIMEOUT
         seconds), read-only, or the disk is full; one line on stderr says which
    """


main.add_command(crawl.crawl)
main.add_command(crawl.extract)
main.add_command(crawl.reclassify)
main.add_command(sources.sources)
main.add_command(ops.schedule)
main.add_command(ops.status)
main.add_command(policies.policies)
main.add_command(publish.feeds)
main.add_command(publish.serve)
main.add_command(publish.search)
main.add_command(publish.export)
main.add_command(digest.subscribe)
main.add_command(digest.unsubscribe)
main.add_command(digest.subscriptions)
main.add_command(digest.digest)
main.add_command(datasette.datasette_copy)
main.add_command(distributed.crawl_worker)
main.add_command(distributed.process_worker)
main.add_command(distributed.store_worker)


def add_plugin_commands(group: click.Group) -> None:
    """Add the commands declared as entry points of PLUGIN_GROUP (e.g. `demo = "demo.cli:demo"`)."""
    for entry_point in entry_points(group=PLUGIN_GROUP):
        group.add_command(entry_point.load())


add_plugin_commands(main)
