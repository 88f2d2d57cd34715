"""Data from the Glue Data Catalog, and the Glue ETL jobs that prepare it.

Teams find their data through the catalog: tables over S3, over a JDBC database (RDS) and
over DynamoDB. "What datasets do we have?" lists them; anywhere a dataset is asked for, a
table's name ("the churn table", "ml_data.churn") stands for its S3 location
(:func:`resolve_dataset`), and a table whose data is not in S3 says how to get it there.
Glue ETL jobs are looked up by name like any job (intents.jobs), started through a card
(StartGlueJob: workers, timeout and buckets within the guardrails, the worst-case cost in
DPU-hours) and followed in the thread.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from intents.aws import error_code, is_not_found, items, summarize
from intents.base import Approved, Progress, Request
from intents.errors import InvalidInput, NotFound, Refused, UserError
from intents.guardrails import S3Uri, check_bucket, check_runtime, parse_s3
from intents.pricing import money
from intents.quantities import count_in
from intents.registry import Router
from intents.reply import (
    Block,
    Context,
    Header,
    Md,
    Proposal,
    Reply,
    Risk,
    Section,
    bold,
    code,
    fields,
    lines,
    md,
)
from intents.resources import MANAGED_TAG
from intents.status import is_done, status_icon, status_text

if TYPE_CHECKING:
    from types_boto3_glue.type_defs import JobRunTypeDef, TableTypeDef

    from intents.deps import Deps

router = Router("training")

GLUE_KIND = "glue"  # the follow and thread-subject kind of a Glue ETL job
GLUE_PAGE = 100  # GetDatabases and GetTables answer at most 100 a page
MAX_DATABASES = 20
MAX_TABLES = 200
MAX_JOBS = 10
DPU_HOUR_USD = 0.44  # Glue ETL, per DPU-hour, us-east-1 (2026-11-01)
# DPUs per worker, by worker type (Standard and G.1X are 1 DPU)
WORKER_DPUS = {
    "Standard": 1.0,
    "G.025X": 0.25,
    "G.1X": 1.0,
    "G.2X": 2.0,
    "G.4X": 4.0,
    "G.8X": 8.0,
    "Z.2X": 2.0,
}


# ---------------------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class Table:
    """One catalog table, as a reply shows it."""

    database: str
    name: str
    location: str
    source: str  # "S3" | "JDBC" | "DynamoDB" | what else the catalog says
    format: str
    rows: int | None
    connection: str = ""

    @property
    def ref(self) -> str:
        return f"{self.database}.{self.name}"

    @property
    def in_s3(self) -> bool:
        return self.location.startswith("s3://")


_JDBC = {"mysql", "postgresql", "oracle", "sqlserver", "jdbc", "redshift", "mariadb", "aurora"}


def table_of(raw: TableTypeDef | dict[str, Any]) -> Table:
    params = {str(k): str(v) for k, v in (raw.get("Parameters") or {}).items()}
    storage = raw.get("StorageDescriptor") or {}
    location = str(storage.get("Location") or "")
    kind = params.get("classification", "").lower()
    if location.startswith("s3://"):
        source = "S3"
    elif kind == "dynamodb" or location.startswith("arn:aws:dynamodb:"):
        source = "DynamoDB"
    elif kind in _JDBC or params.get("connectionName") or params.get("typeOfData") == "jdbc":
        source = "JDBC"
    else:
        source = kind or "unknown"
    rows = next(
        (int(float(params[k])) for k in ("recordCount", "numRows") if _number(params.get(k))),
        None,
    )
    return Table(
        database=str(raw.get("DatabaseName") or ""),
        name=str(raw.get("Name") or ""),
        location=location,
        source=source,
        format=kind if source == "S3" else ({"JDBC": kind or "jdbc"}.get(source, "")),
        rows=rows,
        connection=params.get("connectionName", ""),
    )


def _number(value: str | None) -> bool:
    try:
        return value is not None and float(value) >= 0
    except ValueError:
        return False


def catalog_tables(deps: Deps) -> list[Table]:
    """The tables of the catalog (of the first few databases; enough for a chat answer)."""
    glue = deps.aws.glue
    databases = [
        d["Name"]
        for d in items(
            glue.get_paginator("get_databases").paginate(PaginationConfig={"PageSize": GLUE_PAGE}),
            lambda p: p.get("DatabaseList", []),
            limit=MAX_DATABASES,
        )
    ]
    found: list[Table] = []
    for database in databases:
        for raw in items(
            glue.get_paginator("get_tables").paginate(
                DatabaseName=database, PaginationConfig={"PageSize": GLUE_PAGE}
            ),
            lambda p: p.get("TableList", []),
            limit=MAX_TABLES - len(found),
        ):
            found.append(table_of({**raw, "DatabaseName": database}))
        if len(found) >= MAX_TABLES:
            break
    return found


_TABLE_REF = re.compile(r"^[A-Za-z_][\w-]{0,254}(\.[A-Za-z_][\w-]{0,254})?$")


def find_table(deps: Deps, ref: str) -> Table:
    """A table by its name ("churn") or its database and name ("ml_data.churn")."""
    text = ref.strip().strip("`'\"")
    if not _TABLE_REF.match(text):
        raise InvalidInput(
            f"{text[:80]!r} is not an S3 URI or a Glue table name.",
            hint="Give s3://bucket/path, or a Glue table like ml_data.churn.",
        )
    if "." in text:
        database, name = text.split(".", 1)
        try:
            raw = deps.aws.glue.get_table(DatabaseName=database, Name=name)["Table"]
            return table_of({**raw, "DatabaseName": database})
        except ClientError as exc:
            if not is_not_found(exc):
                raise
        tables = catalog_tables(deps)
    else:
        tables = catalog_tables(deps)
        named = [t for t in tables if t.name.lower() == text.lower()]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise InvalidInput(
                f"More than one database has a table {text}.",
                hint="Say which: " + " or ".join(t.ref for t in named[:5]) + ".",
            )
    refs = [t.ref for t in tables] + [t.name for t in tables]
    close = difflib.get_close_matches(text, refs, n=3, cutoff=0.5)
    raise NotFound(
        f"There is no table {text} in the Glue Data Catalog.",
        hint=("Did you mean " + " or ".join(close) + "? ")
        if close
        else "" + "Say 'what datasets do we have' to see them all.",
    )


def resolve_dataset(deps: Deps, value: str, what: str = "dataset") -> tuple[S3Uri, Table | None]:
    """Where a dataset's data is: an s3:// URI as given, or a catalog table's S3 location
    (with the table, to show on the card). A table over JDBC or DynamoDB is refused, saying
    how to bring its data to S3."""
    text = value.strip()
    if text.lower().startswith("s3://") or not text:
        return parse_s3(text, what, key="path"), None
    table = find_table(deps, text)
    if not table.in_s3:
        where = {
            "JDBC": f"a JDBC table ({table.format or 'database'}"
            + (f", connection {table.connection}" if table.connection else "")
            + ")",
            "DynamoDB": "a DynamoDB table",
        }.get(table.source, f"a {table.source} table")
        raise InvalidInput(
            f"{table.ref} is {where}; its data is not in S3, and SageMaker reads only S3.",
            hint="Export it to S3 first (a Glue ETL job can write it as CSV or Parquet; "
            "DynamoDB can also export to S3 itself), then use the exported table.",
        )
    location = (
        table.location
        if "." in table.location.rsplit("/", 1)[-1]
        else table.location.rstrip("/") + "/"
    )
    return parse_s3(location, what, key="path"), table


def _table_row(t: Table) -> Md:
    source = {
        "S3": md("S3 · {f}", f=t.format or "data"),
        "JDBC": md(
            "JDBC ({f}{c})",
            f=t.format or "database",
            c=f", via {t.connection}" if t.connection else "",
        ),
        "DynamoDB": md("DynamoDB"),
    }.get(t.source, md("{s}", s=t.source))
    rows = md(" · {n} rows", n=f"{t.rows:,}") if t.rows is not None else md("")
    where = code(t.location) if t.in_s3 else md("_not in S3_")
    return md("• {r} · {s}{n} · {w}", r=bold(t.ref), s=source, n=rows, w=where)


@router.intent("ListDatasets")
def list_datasets(request: Request, deps: Deps) -> Reply:
    """The Glue Data Catalog's tables (where their data is, its format and size) and the Glue ETL jobs that prepare them."""
    tables = catalog_tables(deps)
    blocks: list[Block] = [Header("Datasets in the Glue Data Catalog")]
    if not tables:
        blocks.append(
            Section(
                md(
                    "The Glue Data Catalog in {r} has no tables yet. You can still use any "
                    "s3:// URI as a dataset.",
                    r=deps.aws.region,
                )
            )
        )
    by_database: dict[str, list[Table]] = {}
    for t in tables:
        by_database.setdefault(t.database, []).append(t)
    for database, listed in by_database.items():
        blocks.append(
            Section(lines(md("*{d}*", d=database), *[_table_row(t) for t in listed[:25]]))
        )
    jobs = _etl_jobs(deps)
    if jobs:
        blocks.append(Section(lines(md("*Glue ETL jobs*"), *jobs)))
    example = next((t for t in tables if t.in_s3), None)
    if example is not None:
        blocks.append(
            Context(
                md(
                    "Use a table wherever a dataset goes: {e}",
                    e=code(f"train xgboost on the {example.name} table"),
                )
            )
        )
    in_s3 = sum(1 for t in tables if t.in_s3)
    return Reply(
        summary=f"{len(tables)} tables in the Glue Data Catalog, {in_s3} with data in S3",
        blocks=tuple(blocks),
    )


def _etl_jobs(deps: Deps) -> list[Md]:
    glue = deps.aws.glue
    names = list(glue_job_names(deps, limit=MAX_JOBS))
    rows = []
    for name in names:
        runs = glue.get_job_runs(JobName=name, MaxResults=1).get("JobRuns", [])
        last = runs[0] if runs else None
        rows.append(
            md(
                "• {n} · {s}",
                n=bold(name),
                s=md(
                    "last run {i} {t}, {w}",
                    i=status_icon(last.get("JobRunState")),
                    t=status_text(last.get("JobRunState")),
                    w=last["StartedOn"].strftime("%b %d %H:%M UTC")
                    if last.get("StartedOn")
                    else "–",
                )
                if last
                else md("never run"),
            )
        )
    return rows


def glue_job_names(deps: Deps, *, limit: int = 100) -> list[str]:
    return [
        j["Name"]
        for j in islice(
            items(
                deps.aws.glue.get_paginator("get_jobs").paginate(
                    PaginationConfig={"PageSize": 100}
                ),
                lambda p: p.get("Jobs", []),
            ),
            limit,
        )
    ]


# ---------------------------------------------------------------------------- ETL jobs


def describe_glue_job(deps: Deps, name: str) -> dict[str, Any]:
    """A Glue job with its latest runs; 'JobRunState' is the latest run's (NOT_RUN if none)."""
    glue = deps.aws.glue
    job = glue.get_job(JobName=name)["Job"]
    runs = glue.get_job_runs(JobName=name, MaxResults=5).get("JobRuns", [])
    runs = sorted(runs, key=lambda r: r.get("StartedOn") or 0, reverse=True)
    return {
        "Job": job,
        "Runs": runs,
        "JobRunState": runs[0].get("JobRunState", "") if runs else "NOT_RUN",
        "GlueJobName": name,
    }


def _run_row(run: JobRunTypeDef | dict[str, Any]) -> Md:
    state = run.get("JobRunState")
    took = run.get("ExecutionTime")
    started = run.get("StartedOn")
    return md(
        "{i} {s} · started {w}{t}{e}",
        i=status_icon(state),
        s=status_text(state),
        w=started.strftime("%b %d %H:%M UTC") if started else "–",
        t=md(" · ran {d} s", d=took) if took else md(""),
        e=md(" · {m}", m=run.get("ErrorMessage")) if run.get("ErrorMessage") else md(""),
    )


def glue_detail(deps: Deps, described: dict[str, Any]) -> list[Block]:
    job = described["Job"]
    command = job.get("Command", {})
    arguments = {
        k: v for k, v in (job.get("DefaultArguments") or {}).items() if str(v).startswith("s3://")
    }
    workers = (
        f"{job.get('WorkerType')} × {job.get('NumberOfWorkers')}"
        if job.get("WorkerType")
        else f"{job.get('MaxCapacity', job.get('AllocatedCapacity', '?'))} DPU"
    )
    info: dict[str, object] = {
        "Last run": md(
            "{i} {s}",
            i=status_icon(described["JobRunState"]),
            s=status_text(described["JobRunState"]) if described["Runs"] else "Never run",
        ),
        "Script": code(command.get("ScriptLocation", "–")),
        "Workers": workers,
        "Timeout": f"{job.get('Timeout', 2880)} min",
        "Glue version": job.get("GlueVersion", "–"),
    }
    if arguments:
        info["Data"] = lines(*[md("{k} {v}", k=k, v=code(v)) for k, v in sorted(arguments.items())])
    blocks: list[Block] = [Section(fields=fields(info))]
    if described["Runs"]:
        blocks.append(
            Section(lines(md("*Latest runs*"), *[_run_row(r) for r in described["Runs"][:5]]))
        )
    blocks.append(
        Context(md("Run it again with {c}", c=code(f"run the glue job {job.get('Name', '')}")))
    )
    return blocks


@router.follower(GLUE_KIND)
def follow_glue(name: str, deps: Deps) -> Progress:
    try:
        described = describe_glue_job(deps, name)
    except ClientError as exc:
        if is_not_found(exc):
            raise NotFound(f"There is no Glue job named {name}.") from None
        raise
    state = described["JobRunState"]
    if is_done(state):
        run = described["Runs"][0] if described["Runs"] else {}
        return Progress(
            state,
            terminal=True,
            reply=Reply(
                summary=f"Glue job {name}: {status_text(state)}",
                blocks=(
                    Section(md("{r} Glue job {n}", r=_run_row(run), n=bold(name))),
                    *glue_detail(deps, described)[:1],
                ),
            ),
        )
    return Progress(
        state,
        reply=Reply.text(
            md("{i} Glue job {n}: {s}", i=status_icon(state), n=bold(name), s=status_text(state))
        ),
    )


# ---------------------------------------------------------------------------- StartGlueJob

_GLUE_NAME = re.compile(r"^[\w\-. ]{1,255}$")
PLAN_ARGUMENT = "--chatops-plan"  # marks the run a plan started: a re-run after a restart finds it


def _glue_job(deps: Deps, name: str) -> dict[str, Any]:
    if not _GLUE_NAME.match(name):
        raise InvalidInput(f"{name[:70]!r} is not a Glue job name.")
    try:
        return dict(deps.aws.glue.get_job(JobName=name)["Job"])
    except ClientError as exc:
        if not is_not_found(exc):
            raise
    close = difflib.get_close_matches(name, glue_job_names(deps), n=3, cutoff=0.5)
    raise NotFound(
        f"There is no Glue job named {name}.",
        hint=("Did you mean " + " or ".join(close) + "?")
        if close
        else "Say 'what datasets do we have' to see the ETL jobs.",
    )


def _check_managed(deps: Deps, name: str) -> None:
    """The bot's IAM policy lets it start only Glue jobs tagged chatops:managed=true; any other
    is refused here, before a card, rather than failing with AccessDenied once approved."""
    arn = f"arn:aws:glue:{deps.aws.region}:{deps.aws.account_id()}:job/{name}"
    try:
        found = deps.aws.glue.get_tags(ResourceArn=arn).get("Tags") or {}
    except ClientError as exc:
        if error_code(exc) not in ("AccessDeniedException", "AccessDenied"):
            raise
        found = {}
    if found.get(MANAGED_TAG) != "true":
        raise Refused(
            f"I may not run Glue job {name}: my IAM policy lets me start only Glue jobs "
            f"tagged {MANAGED_TAG}=true.",
            hint=f"Ask an AWS admin to tag {name} {MANAGED_TAG}=true if the team should run it "
            "from here.",
        )


@router.intent("StartGlueJob")
def start_glue_job(request: Request, deps: Deps) -> Proposal:
    """Start a run of a Glue ETL job (to prepare or export data), after you approve its cost."""
    settings = deps.settings
    name = (request.slot("jobName") or "").strip()
    job = _glue_job(deps, name)
    # What it reads and writes must be in the allowed buckets, like a training job's data.
    script = str(job.get("Command", {}).get("ScriptLocation") or "")
    if script.startswith("s3://"):
        check_bucket(parse_s3(script, "Glue script"), settings, "Glue scripts")
    for key, value in sorted((job.get("DefaultArguments") or {}).items()):
        if str(value).startswith("s3://"):
            check_bucket(
                parse_s3(str(value), f"Glue argument {key}"), settings, f"Glue job data ({key})"
            )
    _check_managed(deps, name)
    worker_type = str(job.get("WorkerType") or "")
    found = count_in(request.text, "workers?|dpus?", "workers", key="workers")
    workers = (
        found.value if found else int(job.get("NumberOfWorkers") or job.get("MaxCapacity") or 10)
    )
    if workers > settings.max_glue_workers:
        raise Refused(
            f"{workers} Glue workers is more than allowed (rule: at most "
            f"{settings.max_glue_workers}, CHATOPS_MAX_GLUE_WORKERS).",
            hint=f"Ask for {settings.max_glue_workers} workers or fewer, e.g. "
            f"'run the glue job {name} with {settings.max_glue_workers} workers'.",
        )
    # The run stops at the job's own timeout, or at the longest runtime allowed here.
    limit = check_runtime(settings.max_runtime_seconds, settings) // 60
    minutes = min(int(job.get("Timeout") or 2880), limit)
    running = [
        r
        for r in deps.aws.glue.get_job_runs(JobName=name, MaxResults=5).get("JobRuns", [])
        if r.get("JobRunState") in ("STARTING", "RUNNING", "STOPPING", "WAITING")
    ]
    if running:
        raise InvalidInput(
            f"Glue job {name} is already running (since {_started(running[0])}).",
            hint=f"Ask 'how is {name} doing?' to follow it.",
        )
    dpus = workers * WORKER_DPUS.get(worker_type or "Standard", 1.0)
    worst = dpus * minutes / 60 * DPU_HOUR_USD
    outputs = [
        md("{k} {v}", k=k, v=code(v))
        for k, v in sorted((job.get("DefaultArguments") or {}).items())
        if str(v).startswith("s3://")
    ]
    return Proposal(
        title=f"Run Glue job {name}",
        summary=md(
            "Start a run of the Glue ETL job {n} on {w} × {t}, for at most {m} min.",
            n=bold(name),
            w=workers,
            t=worker_type or "DPU",
            m=minutes,
        ),
        details=fields(
            {
                "Script": code(script or "–"),
                "Data": lines(*outputs) if outputs else md("–"),
                "Workers": f"{worker_type or 'DPU'} × {workers} ({dpus:g} DPU)",
                "Stops after": f"{minutes} min at most"
                + (" (the longest allowed here)" if minutes == limit else ""),
                "Worst-case cost": md(
                    "{c} = {d} DPU × {h} h × {p}/DPU-hour",
                    c=bold(money(worst)),
                    d=f"{dpus:g}",
                    h=f"{minutes / 60:.2g}",
                    p=money(DPU_HOUR_USD),
                ),
            }
        ),
        params={
            "job": name,
            "workers": workers,
            "worker_type": worker_type,
            "timeout_minutes": minutes,
        },
        risk=Risk(cost_usd=worst),
    )


def _started(run: JobRunTypeDef | dict[str, Any]) -> str:
    started = run.get("StartedOn")
    return started.strftime("%H:%M UTC") if started else "a moment ago"


@router.executor("StartGlueJob")
def run_start_glue_job(approved: Approved, deps: Deps) -> Reply:
    p, glue = approved.params, deps.aws.glue
    name = p["job"]
    # A run of this very plan already started (before a restart) is followed, not repeated.
    earlier = [
        r
        for r in glue.get_job_runs(JobName=name, MaxResults=10).get("JobRuns", [])
        if (r.get("Arguments") or {}).get(PLAN_ARGUMENT) == approved.plan_id
    ]
    if earlier:
        run_id = earlier[0]["Id"]
    else:
        try:
            if p["worker_type"]:
                run_id = glue.start_job_run(
                    JobName=name,
                    Arguments={PLAN_ARGUMENT: approved.plan_id},
                    WorkerType=p["worker_type"],
                    NumberOfWorkers=p["workers"],
                    Timeout=p["timeout_minutes"],
                )["JobRunId"]
            else:
                run_id = glue.start_job_run(
                    JobName=name,
                    Arguments={PLAN_ARGUMENT: approved.plan_id},
                    MaxCapacity=float(p["workers"]),
                    Timeout=p["timeout_minutes"],
                )["JobRunId"]
        except ClientError as exc:
            if error_code(exc) == "ConcurrentRunsExceededException":
                raise UserError(
                    f"Glue job {name} is already running; I didn't start another run."
                ) from None
            if error_code(exc) in ("AccessDeniedException", "AccessDenied"):
                raise  # the gate says which permission is missing
            raise UserError(f"Glue would not start {name} ({summarize(exc)}).") from None
    deps.follow_approved(approved, GLUE_KIND, name)
    return Reply(
        summary=f"Started a run of Glue job {name}",
        blocks=(
            Section(
                md(
                    ":rocket: Started a run of Glue job {n} ({r}). I'll post here when it finishes.",
                    n=bold(name),
                    r=code(run_id),
                )
            ),
        ),
        about=((GLUE_KIND, name),),
    )
