"""The Datasette plugin of ``whodoes serve`` (loaded with ``--plugins-dir``).

It uses Datasette's public plugin hooks only:

* ``extra_css_urls``: the site's stylesheet (``--static whodoes:...``);
* ``prepare_jinja2_environment``: filters the templates use (the Chinese label of a column,
  the columns that have a value on the page, a task's units as links);
* ``extra_template_vars``: the columns a table hides (plugin configuration ``hidden_columns``)
  and, on the home page, the search for ``?q=`` in tasks and units;
* ``filters_from_request``: ``?_q=`` on the task view, a substring search of the task's title,
  text and category (any length, where the full-text index needs three characters);
* ``render_cell``: on the task views, the task text with its title and a link to its page,
  and every lead and supporting unit as a link to the unit's page.

It imports nothing of whodoes, so that plain Datasette can load it too.
"""

from __future__ import annotations

from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.filters import FilterArguments

PLUGIN = "whodoes"
UNIT_SEP = "\x1e"  # between the units of a packed unit list (the task page's query)
FIELD_SEP = "\x1f"  # between written name, canonical name and jurisdiction of one unit
HOME_LIMIT = 20  # tasks and units listed on the home page; the task view has them all
TASK_VIEWS = ("task_list", "task_rows")


def plugin_config(datasette) -> dict:
    return datasette.plugin_config(PLUGIN) or {}


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/whodoes-static/whodoes.css")]


def column_label(description, name: str) -> str:
    """The column's Chinese label: its description up to " · " (任务内容 · task text -> 任务内容)."""
    if not description:
        return name
    return str(description).split(" · ")[0].strip() or name


def nonempty_columns(display_rows) -> set[str]:
    """The columns with a value in at least one row of the page (table views' cells)."""
    names = set()
    for row in display_rows or ():
        for cell in row:
            raw = cell["raw"] if "raw" in cell else None
            if raw not in (None, ""):
                names.add(cell["column"])
    return names


def unit_url(datasette, database: str, name: str, jurisdiction: str = "") -> str:
    args = {"name": name}
    if jurisdiction:
        args["jurisdiction"] = jurisdiction
    return datasette.urls.database(database) + "/unit?" + urlencode(args)


def task_url(datasette, database: str, uid: str) -> str:
    return datasette.urls.database(database) + "/task?" + urlencode({"uid": uid})


def unit_links(datasette, database: str, names: list[str], jurisdiction: str) -> markupsafe.Markup:
    """Units joined with 、, each a link to its page (the separator stays with the name before it)."""
    e = markupsafe.escape
    parts = [f'<a class="unit" href="{e(unit_url(datasette, database, n, jurisdiction))}">{e(n)}</a>' for n in names]
    return markupsafe.Markup("、".join(parts))


def packed_units(datasette, database: str, packed) -> markupsafe.Markup:
    """The task page's units, packed by its query as written/canonical/jurisdiction: each as it
    is written, linked to the canonical unit's page, the canonical name after it where it differs."""
    if not packed:
        return markupsafe.Markup("")
    e = markupsafe.escape
    parts = []
    for item in str(packed).split(UNIT_SEP):
        written, canonical, jurisdiction = (item.split(FIELD_SEP) + ["", ""])[:3]
        target = unit_url(datasette, database, canonical or written, jurisdiction)
        shown = f'<a class="unit" href="{e(target)}">{e(written)}</a>'
        if canonical and canonical != written:
            shown += f' <span class="canonical">({e(jurisdiction)}{e(canonical)})</span>'
        parts.append(shown)
    return markupsafe.Markup("、".join(parts))


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["column_label"] = column_label
    env.filters["nonempty_columns"] = nonempty_columns
    env.filters["packed_units"] = lambda packed, database: packed_units(datasette, database, packed)
    env.filters["task_url"] = lambda uid, database: task_url(datasette, database, uid)
    env.filters["unit_url"] = lambda name, database, jurisdiction="": unit_url(datasette, database, name, jurisdiction)


@hookimpl
def extra_template_vars(view_name, table, request, datasette):
    async def template_vars():
        hidden = plugin_config(datasette).get("hidden_columns", {}).get(table or "", [])
        found = {"hidden_columns": set(hidden)}
        if view_name == "index" and request is not None:
            found["home"] = await home_search(datasette, (request.args.get("q") or "").strip())
        return found

    return template_vars


TEXT_MATCH = "instr(coalesce(title, '') || ' ' || coalesce(task, '') || ' ' || coalesce(category, ''), :q) > 0"

HOME_TASKS = f"SELECT uid, title, task, lead, support, deadline, plan, jurisdiction FROM task_list WHERE {TEXT_MATCH}"

UNIT_MATCH = """
SELECT u.name AS unit, u.jurisdiction AS jurisdiction,
  (SELECT count(DISTINCT task_id) FROM task_units WHERE unit_id = u.id AND role = 'lead') AS leads,
  (SELECT count(DISTINCT task_id) FROM task_units WHERE unit_id = u.id AND role = 'support') AS supports,
  (SELECT group_concat(name, '、') FROM (SELECT DISTINCT name FROM unit_names n
     WHERE n.unit_id = u.id AND n.name <> u.name AND n.how <> 'written')) AS other_names
FROM units u
WHERE (u.id IN (SELECT unit_id FROM unit_names WHERE instr(name, :q) > 0 OR pinyin = lower(:q) OR initials = lower(:q))
       OR u.type IN (SELECT type FROM type_names WHERE name = :q))
  AND EXISTS (SELECT 1 FROM task_units WHERE unit_id = u.id)
ORDER BY leads + supports DESC, u.jurisdiction, u.name
"""


async def home_search(datasette, q: str) -> dict:
    """The home page's answer to ``?q=``: the units one of whose names contains it (or is it
    in pinyin or initials, or names their type of body: 城管局, 发改委), and the tasks."""
    if not q:
        return {"q": ""}
    db = datasette.get_database()
    found = {"q": q, "database": db.name}
    try:
        count = await db.execute(f"SELECT count(*) FROM ({HOME_TASKS})", {"q": q})
        tasks = await db.execute(f"{HOME_TASKS} LIMIT {HOME_LIMIT}", {"q": q})
        units = await db.execute(UNIT_MATCH, {"q": q})
    except Exception as e:  # a database without the views of this version: say so on the page
        found["error"] = f"{type(e).__name__}: {e}"
        return found
    found.update(task_count=count.rows[0][0], tasks=list(tasks.rows), units=list(units.rows))
    return found


@hookimpl
def filters_from_request(request, database, table, datasette):
    q = (request.args.get("_q") or "").strip()
    if table != "task_list" or not q:
        return None
    return FilterArguments(
        [TEXT_MATCH.replace(":q", ":whodoes_q")], {"whodoes_q": q}, human_descriptions=[f"包含“{q}”"]
    )


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table not in TASK_VIEWS or value in (None, ""):
        return None
    keys = row.keys()
    if column == "task" and "uid" in keys:
        e = markupsafe.escape
        title = row["title"] if "title" in keys and table == "task_list" else None
        head = f"<strong>{e(title)}</strong> " if title else ""
        link = f' <a class="task-link" href="{e(task_url(datasette, database, row["uid"]))}">详情 ›</a>'
        return markupsafe.Markup(f"{head}{e(value)}{link}")
    if column in ("lead", "support"):
        jurisdiction = row["jurisdiction"] if "jurisdiction" in keys else ""
        return unit_links(datasette, database, str(value).split("、"), jurisdiction or "")
    return None
