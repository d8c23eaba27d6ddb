"""Datasette plugin: `?_search=` over policywatch's Chinese full-text search, 2-character words included.

Datasette's own search ANDs an FTS MATCH of the query, and the trigram index matches nothing for a word
shorter than three characters (湛江, 补助), so the tables in metadata.yml name no `fts_table`; this plugin
answers `?_search=` (every word required, each a substring of title, issuer, doc_number or text) and
`?_search_<column>=` (one of those columns) with storage.search.search_condition, the search
`policywatch search` runs. A table takes part when its metadata configures the plugin:

    plugins:
      policywatch-search:
        key: id            # the row's column holding a document id …
        matches: document  # … or, with `matches: policy`, a policy id (a policy matches through any of its pages)

Load it with `datasette serve … --plugins-dir deploy/datasette/plugins`; policywatch must be installed
in the same environment.
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import BadRequest
from sqlite_utils import Database

from storage.search import SEARCH_COLUMNS, search_condition

PLUGIN = "policywatch-search"


@hookimpl(trylast=True)  # after Datasette's own search hook, so this one's search box state is the one shown
def filters_from_request(request, database, table, datasette):
    config = datasette.plugin_config(PLUGIN, database=database, table=table, fallback=False)
    if not config:
        return None

    async def inner() -> FilterArguments:
        searches = _searches(request.args)
        where, params, described = [], {}, []
        db = datasette.get_database(database)
        for number, (columns, query) in enumerate(searches):
            found = await db.execute_fn(lambda conn, columns=columns, query=query, number=number: search_condition(
                Database(conn, recursive_triggers=False, execute_plugins=False), query,
                key=config.get("key", "id"), matches=config.get("matches", "document"), columns=columns,
                prefix=f"pw_search{number}"))
            if found is None:
                continue
            condition, condition_params = found
            where.append(condition)
            params.update(condition_params)
            scope = "search" if columns == SEARCH_COLUMNS else f"search {columns[0]}"
            described.append(f'{scope} contains every word of "{query}"')
        shown = request.args.get("_search") or next((query for _columns, query in searches), "")
        return FilterArguments(where, params, described, {"supports_search": True, "search": shown})

    return inner


def _searches(args) -> list[tuple[tuple[str, ...], str]]:
    """(columns, query) of each `_search` / `_search_<column>` argument; an unknown column is a bad request."""
    searches = []
    for key in args:
        if key == "_search":
            searches.append((SEARCH_COLUMNS, args[key]))
        elif key.startswith("_search_"):
            column = key[len("_search_"):]
            if column not in SEARCH_COLUMNS:
                raise BadRequest(f"Cannot search by that column: {column} (searchable: {', '.join(SEARCH_COLUMNS)})")
            searches.append(((column,), args[key]))
    return searches
