"""The ``waypoint`` command-line tool (see the contract's command table)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


# --- The secret key of this install (issue 16) ---------------------------------------------
def _project_home() -> Path:
    """The project's folder, as settings.py finds it (``WAYPOINT_HOME`` or the checkout)."""
    return Path(os.environ.get("WAYPOINT_HOME") or Path(__file__).resolve().parent.parent.parent)


def _secret_key_from_file() -> None:
    """Without ``WAYPOINT_SECRET_KEY``, use the key `make run` keeps in ``var/secret_key``,
    as `make run` does (so a second shell's ``.venv/bin/waypoint site create …`` works). No
    file, no key: settings.py refuses to start, as before."""
    if os.environ.get("WAYPOINT_SECRET_KEY"):
        return
    try:
        key = (_project_home() / "var" / "secret_key").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return
    if key:
        os.environ["WAYPOINT_SECRET_KEY"] = key


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    try:
        import django

        django.setup()
    except Exception as exc:  # ImproperlyConfigured and friends: say it plainly
        from django.core.exceptions import ImproperlyConfigured

        if isinstance(exc, ImproperlyConfigured):
            print(f"waypoint: configuration error: {exc}", file=sys.stderr)
            sys.exit(2)
        if isinstance(exc, OSError):  # e.g. the SQLite database's folder cannot be made
            print(f"waypoint: configuration error: {exc}", file=sys.stderr)
            sys.exit(2)
        raise


def _fail(message: str, code: int = 1) -> None:
    print(f"waypoint: {message}", file=sys.stderr)
    sys.exit(code)


def cmd_migrate(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from waypoint.audit.transition import LegacyTrailBroken

    try:
        call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    except LegacyTrailBroken as exc:  # an old trail is not sealed with the key as if whole
        _fail(f"migration refused: {exc}")
    print("database is up to date")


def cmd_demo(args: argparse.Namespace) -> None:
    from waypoint.demo import DemoExists, load_demo

    if args.remove:
        cmd_demo_remove()
        return

    try:
        logins = load_demo(force=args.force, patients=args.patients, seed=args.seed)
    except DemoExists as exc:
        _fail(str(exc))
    print_logins(logins)
    print_demo_second_factors()


def cmd_demo_remove() -> None:
    from waypoint.demo import remove_demo

    removed = remove_demo()
    if not removed.organizations:
        print("no demo organization here: nothing to remove")
        return
    print(
        f"demo removed: {len(removed.accounts)} account(s) closed "
        f"({', '.join(removed.accounts) or 'none left'}), {removed.tokens} API token(s) deleted, "
        f"{len(removed.listings)} public listing(s) withdrawn. The demo organization's "
        "synthetic records stay in the database (its audit trail is append-only), marked as "
        "the demo's and reachable by no one."
    )


def print_logins(logins: list[tuple[str, str, str]]) -> None:
    print("Demo logins (for evaluation only; change or remove before real use):")
    for username, role, password in logins:
        print(f"  {role:<11} {username:<18} {password}")


def cmd_demo_logins(args: argparse.Namespace) -> None:
    from waypoint.demo import demo_logins

    logins = demo_logins()
    if logins:
        print_logins(logins)
        print_demo_second_factors(codes=args.codes)


def print_demo_second_factors(codes: bool = False) -> None:
    """The demo accounts that also enter a code (issue 16): their authenticator keys, or
    with ``--codes`` the codes of this moment (each valid about 30 seconds)."""
    from waypoint.demo import demo_second_factors

    rows = demo_second_factors(codes=codes)
    if not rows:
        return
    if codes:
        print("Their codes now (valid about 30 seconds; run again for fresh ones):")
        for username, _key, code in rows:
            print(f"  {username:<22} {code}")
        return
    print(
        "These also enter a 6-digit code after the password: add the key to an authenticator "
        "app, or run `.venv/bin/waypoint demo-logins --codes` for the codes of this moment:"
    )
    for username, key, _code in rows:
        print(f"  {username:<22} {key}")


def cmd_serve(args: argparse.Namespace) -> None:
    # Import the settings first so a missing secret key stops here with a clear message.
    _setup_django()
    _refuse_unsafe_start(args.host)
    # The audit key too (made now on a first start, so the workers only read it).
    from waypoint.core.keys import AuditKeyError, audit_key

    try:
        audit_key()
    except AuditKeyError as exc:
        _fail(f"configuration error: {exc}", 2)
    bind = f"{args.host}:{args.port}"
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "waypoint.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread" if args.threads > 1 else "sync",
        "--graceful-timeout",
        "20",
        "--timeout",
        "60",
        "--access-logfile",
        "-" if args.access_log else "/dev/null",
        "--forwarded-allow-ips",
        os.environ.get("WAYPOINT_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    print(f"Waypoint serving on http://{bind} ({args.workers} workers)", flush=True)
    os.execv(sys.executable, argv)  # noqa: S606 (fixed argv, no shell)


def _refuse_unsafe_start(host: str) -> None:
    """Debug mode off loopback, or a production start (WAYPOINT_HTTPS=1 or a non-loopback
    host) while the demo's accounts exist: refused, each reason on its own line."""
    from django.conf import settings

    from waypoint.core.startup import start_refusals

    problems = start_refusals(host, debug=settings.DEBUG, https=settings.HTTPS)
    for problem in problems[:-1]:
        print(f"waypoint: {problem.code}: {problem.message}", file=sys.stderr)
    if problems:
        _fail(f"{problems[-1].code}: {problems[-1].message}")


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()[:60]
    except Exception:  # no login name (a container without a passwd entry)
        return ""


def _audit_cli(organization_id: int, action: str, object_type: str, object_id="", **detail) -> None:
    """One audit event for a command-line action, written by the organization's system
    account with channel ``cli`` and the operating-system user (call inside the action's
    transaction, so the action and its event commit together)."""
    from waypoint.audit import services as audit
    from waypoint.core.services import system_actor

    audit.record(
        system_actor(organization_id, "cli"),
        action,
        object_type,
        object_id,
        detail={"command": action, "os_user": _os_user(), **detail},
    )


def _audit_all_organizations(action: str, **detail) -> None:
    """A command that concerns the whole database (backup, restore): one event in every
    organization's own chain (chain 0: the system account has no site)."""
    from django.db import transaction

    from waypoint.core.models import Organization

    with transaction.atomic():
        for org_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
            _audit_cli(org_id, action, "database", "", **detail)


def cmd_site_create(args: argparse.Namespace) -> None:
    from django.db import transaction

    from waypoint.core import services
    from waypoint.core.errors import DomainError

    try:
        with transaction.atomic():
            org = services.organization_for_new_site(args.org)
            site = services.site_create(org, args.code, args.name, args.timezone)
            _audit_cli(org.pk, "site_create", "site", site.pk, code=site.code, name=site.name)
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message}")
    print(f"site {site.code} created in {org.name}")


def _site(code: str, org_name: str | None):
    from waypoint.core.models import Organization, Site

    qs = Site.objects.filter(code=code)
    if org_name:
        org = Organization.objects.filter(name=org_name).first()
        if org is None:
            _fail(f"unknown_organization: no organization named {org_name!r}")
        qs = qs.filter(organization=org)
    sites = list(qs[:2])
    if not sites:
        _fail(f"unknown_site: no site with code {code!r}")
    if len(sites) > 1:
        _fail(f"organization_required: several organizations have a site {code!r}: use --org")
    return sites[0]


def cmd_user_create(args: argparse.Namespace) -> None:
    import getpass

    from waypoint.core import services
    from waypoint.core.errors import DomainError

    site = _site(args.site, args.org)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
    if not password:
        _fail("a password is required")
    from django.db import transaction

    try:
        with transaction.atomic():
            user = services.user_create(
                args.username,
                args.role,
                site,
                password,
                first_name=args.first_name,
                last_name=args.last_name,
                email=args.email,
            )
            _audit_cli(
                site.organization_id,
                "user_create",
                "user",
                user.pk,
                username=user.username,
                role=user.role,
                site=site.code,
            )
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message}")
    print(f"user {user.username} ({user.role}) created at {site.code}", file=sys.stderr)


def _user(username: str):
    from waypoint.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        _fail(f"unknown_user: no user {username!r}")
    return user


def cmd_token_create(args: argparse.Namespace) -> None:
    from django.db import transaction

    from waypoint.core import services
    from waypoint.core.errors import DomainError

    user = _user(args.username)
    try:
        with transaction.atomic():
            raw = services.token_create(user, args.label, days=args.days)
            if user.organization_id is not None:
                _audit_cli(
                    user.organization_id,
                    "token_create",
                    "api_token",
                    raw[3:9],
                    username=user.username,
                    label=args.label,
                    days=args.days,
                )
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message}")
    print(raw)


def cmd_token_revoke(args: argparse.Namespace) -> None:
    from django.db import transaction

    from waypoint.core import services

    user = _user(args.username)
    with transaction.atomic():
        n = services.token_revoke(user, args.prefix)
        if user.organization_id is not None:
            _audit_cli(
                user.organization_id,
                "token_revoke",
                "api_token",
                args.prefix or "",
                username=user.username,
                revoked=n,
            )
    print(f"{n} token(s) revoked")


# --- the audit chain's key and anchors (docs/AUDIT.md) -----------------------------------


def cmd_audit_verify(args: argparse.Namespace) -> None:
    from waypoint.audit.anchors import AnchorError, load_anchor
    from waypoint.audit.services import verify

    anchor = None
    if args.anchor:
        try:
            anchor = load_anchor(Path(args.anchor).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, AnchorError) as exc:
            _fail(f"cannot use the anchor {args.anchor}: {exc}", 2)
    result = verify(anchor)
    if result.ok:
        held = f"; the anchor of {anchor.made_at} holds" if anchor else ""
        chains = f" in {result.chains_checked} chain{'s' if result.chains_checked != 1 else ''}"
        print(f"audit chain intact: {result.events_checked} events checked{chains}{held}")
        return
    print(f"audit chain BROKEN at {result.problem}", file=sys.stderr)
    print(f"first broken event: {result.event_id}")
    sys.exit(1)


def cmd_audit_anchor(args: argparse.Namespace) -> None:
    import tempfile

    from django.db import transaction

    from waypoint.audit.anchors import AnchorError, anchor_document, anchor_text

    out = Path(args.out).resolve() if args.out else None
    try:
        with transaction.atomic():
            # The anchor is itself an event of every organization's own chain (chain 0; the
            # sites' chains are anchored at their heads as they are), and includes it.
            _audit_all_organizations("audit_anchor", file=str(out) if out else "(stdout)")
            text = anchor_text(anchor_document())
            if out is not None:
                out.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as f:
                        f.write(text)
                    os.replace(tmp, out)
                finally:
                    Path(tmp).unlink(missing_ok=True)
    except AnchorError as exc:
        _fail(f"no anchor written: {exc}")
    except OSError as exc:
        _fail(f"cannot write the anchor {out}: {exc}")
    if out is None:
        sys.stdout.write(text)
    else:
        print(f"anchor written to {out}", file=sys.stderr)


# --- end of the audit chain's commands ---------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> None:
    from waypoint.core.backup import BackupError, backup

    try:
        made = backup(Path(args.file), segment_size=args.segment_size)
    except BackupError as exc:
        _fail(f"backup failed: {exc}")
    # After the copy (so the event says it was made); the copy holds the events before it.
    _audit_all_organizations(
        "backup",
        file=str(made.path),
        bytes=made.bytes,
        backup_id=made.manifest["backup_id"],
        format=made.manifest["format"],
    )
    print(f"backup written to {made.path} ({made.bytes} bytes, encrypted)")


def cmd_restore(args: argparse.Namespace) -> None:
    from django.db import connections, transaction

    from waypoint.core.backup import BackupError, restore
    from waypoint.core.models import Organization

    try:
        manifest = restore(Path(args.file))
    except BackupError as exc:
        _fail(f"restore failed: {exc}")
    # Written after the swap, into each organization's own chain (chain 0) of the restored
    # database: when and from which backup (its manifest) the database came back, and the
    # backup's heads of that organization's chains (a manifest of a Waypoint before the
    # chains per site has no "chain": chain 0).
    connections.close_all()
    heads: dict[int, dict[int, dict]] = {}
    for h in manifest.get("audit_heads", []):
        heads.setdefault(int(h["organization"]), {})[int(h.get("chain", 0))] = h
    with transaction.atomic():
        for org_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
            chains = heads.get(org_id, {})
            head = chains.get(0, {})
            sites = {
                str(c): {"seq": h.get("seq", 0), "hash": h.get("hash", "")}
                for c, h in sorted(chains.items())
                if c
            }
            _audit_cli(
                org_id,
                "restore",
                "database",
                "",
                file=str(Path(args.file).resolve()),
                backup_id=manifest.get("backup_id", ""),
                backup_created_at=manifest.get("created_at", ""),
                backup_waypoint_version=manifest.get("waypoint_version", ""),
                backup_format=manifest.get("format"),
                backup_schema=manifest.get("schema", {}),
                backup_head_seq=head.get("seq", 0),
                backup_head_hash=head.get("hash", ""),
                **({"backup_site_heads": sites} if sites else {}),
            )
    print(f"restored from {args.file} (backup of {manifest.get('created_at')}, verified)")


def _import_progress(console: Console, quiet: bool) -> Progress:
    """The progress bar of an import on stderr (gone when done; none with --quiet)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=quiet,
    )


def cmd_directory_import(args: argparse.Namespace) -> None:
    from rich.console import Console

    from waypoint.directory.services import FileError, directory_import

    err = Console(stderr=True)
    with _import_progress(err, args.quiet) as bar:
        task = bar.add_task(Path(args.file).name, total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            report = directory_import(Path(args.file), progress=progress)
        except FileError as exc:
            _fail(f"cannot import {args.file}: {exc}")
    for note in report.notes:
        print(f"note: {note}")
    for rejection in report.rejected:
        print(f"rejected {rejection.describe()}")
    if report.repeated:
        shown = ", ".join(f"row {r} (as row {first})" for r, first in report.repeated[:10])
        more = f" and {len(report.repeated) - 10} more" if len(report.repeated) > 10 else ""
        print(
            f"{len(report.repeated)} row(s) repeat a facility already in this file "
            f"(same name{'' if report.kind == 'otp' else ', second name'} and address): "
            f"{shown}{more}"
        )
    print(report.summary())
    if report.rows and not report.accepted:
        sys.exit(1)


def cmd_directory_generate(args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.progress import Progress

    from waypoint.directory.synthetic import generate

    if args.count < 1 or args.count > 1_000_000:
        _fail("--count is 1 to 1,000,000")
    with Progress(console=Console(stderr=True), transient=True, disable=args.quiet) as bar:
        task = bar.add_task("generating", total=args.count)
        created = generate(
            args.count, args.seed, lambda done, total: bar.update(task, completed=done)
        )
    print(f"{created} synthetic facilities created (seed {args.seed}; {args.count} asked)")


def _fhir_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.json") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            _fail(f"not_found: {raw} is neither a file nor a folder")
    if not files:
        _fail("not_found: no .json file in " + ", ".join(paths))
    return files


def _fhir_org_and_site(org_name: str | None, site_code: str | None):
    """The organization and site to import into: named, or the only ones there are (the
    demo organization counts only when it is the only one)."""
    from waypoint.core.models import Organization, Site

    if org_name:
        org = Organization.objects.filter(name=org_name).first()
        if org is None:
            _fail(f"unknown_organization: no organization named {org_name!r}")
    else:
        orgs = list(Organization.objects.order_by("pk"))
        if len(orgs) > 1:
            orgs = [o for o in orgs if not o.is_demo]
        if len(orgs) != 1:
            _fail(
                "organization_required: "
                + ("there is no organization yet" if not orgs else "several: use --org NAME")
            )
        org = orgs[0]
    assert org is not None  # _fail exits
    sites = Site.objects.filter(organization=org, active=True)
    if site_code:
        sites = sites.filter(code=site_code)
    found = list(sites.order_by("code")[:2])
    if not found:
        _fail(f"unknown_site: no active site {site_code or ''} in {org.name}".replace("  ", " "))
    if len(found) > 1:
        _fail(f"site_required: {org.name} has several sites: use --site CODE")
    return org, found[0]


def cmd_fhir_import(args: argparse.Namespace) -> None:
    """Import FHIR Bundles (files, or every .json under a folder), one transaction each."""
    import time
    from collections import Counter
    from dataclasses import dataclass

    from django.db import transaction
    from rich.console import Console

    from waypoint.core.actor import Actor
    from waypoint.core.errors import DomainError
    from waypoint.core.services import system_actor
    from waypoint.fhir.importing import bundle_from_bytes, bundle_import
    from waypoint.fhir.outcome import FhirError

    @dataclass(frozen=True)
    class OperatorActor(Actor):
        """Whoever runs the command line holds the database already: the import acts as the
        organization's system account (the audit trail's actor, channel cli) with the
        program administrator's permissions, and records the bundle's consents."""

        @property
        def role(self) -> str:
            return "admin"

        def can(self, action: str) -> bool:
            # and the consents a bundle holds (recorded by intake and clinicians, not admin)
            return super().can(action) or action == "consent.record"

    files = _fhir_files(args.paths)
    org, site = _fhir_org_and_site(args.org, args.site)
    system = system_actor(org.pk, "cli")
    actor = OperatorActor(user=system.user, purpose="operations", channel="cli")
    failed = 0
    kept: Counter[str] = Counter()
    started = time.perf_counter()
    err = Console(stderr=True)
    with _import_progress(err, args.quiet) as bar:
        task = bar.add_task("", total=len(files))
        for path in files:
            bar.update(task, description=path.name)
            try:
                bundle = bundle_from_bytes(path.read_bytes())
                with transaction.atomic():
                    result = bundle_import(
                        actor,
                        bundle,
                        site_code=site.code,
                        source=path.name,
                        skip_unsupported=True,
                        allowed_types=("transaction", "batch", "collection"),
                    )
                    created = result.created
                    _audit_cli(
                        org.pk,
                        "fhir_import",
                        "fhir.bundle",
                        path.name[:100],
                        created=dict(sorted(created.items())),
                        patients=result.patient_ids,
                    )
            except (FhirError, DomainError, OSError) as exc:
                failed += 1
                code = getattr(exc, "code", "unreadable")
                text = getattr(exc, "diagnostics", None) or getattr(exc, "message", str(exc))
                print(f"{path.name}: refused ({code}): {text}", flush=True)
                for item in getattr(exc, "issues", []):
                    print(f"  {item['diagnostics']}", flush=True)
                bar.advance(task)
                continue
            kept += created
            shown = ", ".join(f"{t} {n}" for t, n in sorted(created.items())) or "nothing new"
            unchanged = sum(result.unchanged.values())
            skipped = ", ".join(f"{t} {n}" for t, n in sorted(result.skipped.items()))
            print(
                f"{path.name}: kept {shown}"
                + (f"; {unchanged} already imported" if unchanged else "")
                + (f"; skipped {skipped}" if skipped else "")
                + f"; {result.seconds:.1f} s",
                flush=True,
            )
            bar.advance(task)
    total = ", ".join(f"{t} {n}" for t, n in sorted(kept.items())) or "nothing new"
    print(
        f"{len(files) - failed} of {len(files)} bundles imported into {org.name} "
        f"(site {site.code}) in {time.perf_counter() - started:.1f} s: {total}"
    )
    if failed:
        sys.exit(1)


def cmd_teds_export(args: argparse.Namespace) -> None:
    """The period's TEDS admission and discharge records as CSV (docs/TEDS.md). Bad dates,
    from after to, an unknown site or an ambiguous organization: exit status 2, nothing
    written. Records breaking a layout rule are written and listed on stderr, exit 1."""
    from waypoint.core.errors import DomainError
    from waypoint.core.models import Organization
    from waypoint.reports import teds

    try:
        start, end = teds.parse_period(args.date_from, args.date_to)
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message}", 2)
    orgs = Organization.objects.order_by("pk")
    if args.org:
        orgs = orgs.filter(name=args.org)
    found = list(orgs[:2])
    if not found:
        _fail(f"unknown_organization: no organization named {args.org!r}", 2)
    if len(found) > 1:
        _fail("organization_required: several organizations: use --org NAME", 2)
    try:
        site = teds.site_for(found[0].pk, args.site)
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message}", 2)
    export = teds.teds_export_cli(found[0].pk, start, end, site, _os_user())
    body = export.to_csv()
    if args.output:
        Path(args.output).write_text(body, encoding="utf-8")
    else:
        sys.stdout.write(body)
    problems = export.problems()
    for line in problems:
        print(f"waypoint: teds: {line}", file=sys.stderr)
    print(
        f"{len(export.admissions)} admission and {len(export.discharges)} discharge records, "
        f"{start.isoformat()} to {end.isoformat()}",
        file=sys.stderr,
    )
    if problems:
        sys.exit(1)


def cmd_roles(args: argparse.Namespace) -> None:
    from waypoint.core.permissions import matrix_markdown

    print(matrix_markdown())


def cmd_manage(args: argparse.Namespace) -> None:
    from django.core.management import execute_from_command_line

    if args.rest[:1] == ["runserver"]:  # Django's development server: the same debug guard
        addrport = next((a for a in args.rest[1:] if not a.startswith("-")), "127.0.0.1")
        host = addrport.rsplit(":", 1)[0] if not addrport.isdigit() else "127.0.0.1"
        _refuse_unsafe_start(host or "127.0.0.1")

    execute_from_command_line(["waypoint manage", *args.rest])


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="waypoint", description="Waypoint treatment program server")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("migrate", help="create or upgrade the schema (safe to run twice)")
    s.add_argument("-v", "--verbose", action="store_true")
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser("demo", help="load a demo program; refuses if data exists")
    s.add_argument("--force", action="store_true", help="load even if data exists")
    s.add_argument(
        "--remove",
        action="store_true",
        help="close the demo before real use: its accounts, tokens and public listings",
    )
    s.add_argument("--patients", type=int, default=300)
    s.add_argument("--seed", type=int, default=2026)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("demo-logins", help="print the demo logins if the demo is loaded")
    s.add_argument(
        "--codes",
        action="store_true",
        help="also print the demo accounts' second-factor codes of this moment",
    )
    s.set_defaults(func=cmd_demo_logins)

    s = sub.add_parser("serve", help="run the production server (gunicorn)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=int(os.environ.get("WAYPOINT_WORKERS", "3")))
    s.add_argument("--threads", type=int, default=1)
    s.add_argument("--access-log", action="store_true")
    s.set_defaults(func=cmd_serve, no_setup=True)

    site = sub.add_parser("site", help="sites (clinic locations)").add_subparsers(
        dest="site_cmd", required=True
    )
    s = site.add_parser("create")
    s.add_argument("--code", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--timezone", required=True)
    s.add_argument("--org", help="organization name (created if new; never the demo organization)")
    s.set_defaults(func=cmd_site_create)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(
        dest="user_cmd", required=True
    )
    s = user.add_parser("create")
    s.add_argument("--username", required=True)
    s.add_argument("--role", required=True)
    s.add_argument("--site", required=True)
    s.add_argument("--password-stdin", action="store_true")
    s.add_argument("--first-name", default="")
    s.add_argument("--last-name", default="")
    s.add_argument("--email", default="")
    s.add_argument("--org")
    s.set_defaults(func=cmd_user_create)

    tok = sub.add_parser("token", help="API bearer tokens").add_subparsers(
        dest="token_cmd", required=True
    )
    s = tok.add_parser("create")
    s.add_argument("--username", required=True)
    s.add_argument("--label", default="")
    s.add_argument(
        "--days",
        type=int,
        default=None,
        help="how long the token lasts (default WAYPOINT_TOKEN_DAYS, 90)",
    )
    s.set_defaults(func=cmd_token_create)
    s = tok.add_parser("revoke")
    s.add_argument("--username", required=True)
    s.add_argument("--prefix", help="revoke only the token with this prefix")
    s.set_defaults(func=cmd_token_revoke)

    aud = sub.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_cmd", required=True
    )
    s = aud.add_parser("verify", help="exit 0 if the audit chain is intact (MACs, head rows)")
    s.add_argument(
        "--anchor", metavar="FILE", help="also prove nothing up to this anchor changed or went"
    )
    s.set_defaults(func=cmd_audit_verify)
    s = aud.add_parser("anchor", help="print each chain's head (seq, MAC, time), to keep elsewhere")
    s.add_argument("--out", metavar="FILE", help="write the anchor to FILE instead of stdout")
    s.set_defaults(func=cmd_audit_anchor)

    s = sub.add_parser(
        "backup", help="consistent, encrypted backup of the whole database (docs/BACKUP.md)"
    )
    s.add_argument("file")
    s.add_argument(
        "--segment-size",
        type=int,
        default=1 << 20,
        help="bytes of plaintext per encrypted segment (1024 to 67108864; default 1 MiB)",
    )
    s.set_defaults(func=cmd_backup)
    s = sub.add_parser("restore", help="verify and restore a backup made by `waypoint backup`")
    s.add_argument("file")
    s.set_defaults(func=cmd_restore)

    dire = sub.add_parser("directory", help="the public treatment locator").add_subparsers(
        dest="directory_cmd", required=True
    )
    s = dire.add_parser(
        "import",
        help="load facilities from SAMHSA's directory CSV or a FindTreatment.gov JSON answer",
    )
    s.add_argument("file")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_directory_import)
    s = dire.add_parser("generate", help="add a synthetic national directory (tests, benchmarks)")
    s.add_argument("--count", type=int, default=100_000)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_directory_generate)

    fhir = sub.add_parser("fhir", help="FHIR R4 (docs/FHIR.md)").add_subparsers(
        dest="fhir_cmd", required=True
    )
    s = fhir.add_parser(
        "import", help="import FHIR R4 Bundles (files, or every .json under a folder)"
    )
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("--org", help="organization name (needed when there are several)")
    s.add_argument("--site", help="site code of new patients (needed when there are several)")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_fhir_import)

    teds_p = sub.add_parser("teds", help="SAMHSA's Treatment Episode Data Set").add_subparsers(
        dest="teds_cmd", required=True
    )
    s = teds_p.add_parser("export", help="the period's admission and discharge records (CSV)")
    s.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    s.add_argument("--org", help="organization name (needed when there are several)")
    s.add_argument("--site", help="one site's code (default: every site)")
    s.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    s.set_defaults(func=cmd_teds_export)

    s = sub.add_parser("roles", help="print the permission matrix (Markdown)")
    s.set_defaults(func=cmd_roles)

    s = sub.add_parser("manage", help="run a Django management command")
    s.add_argument("rest", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_manage)
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    _secret_key_from_file()
    if not getattr(args, "no_setup", False):
        _setup_django()
    try:
        args.func(args)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:
        from django.db import DatabaseError

        from waypoint.core.keys import AuditKeyError

        if isinstance(exc, AuditKeyError):  # the audit key is missing or unreadable
            _fail(f"configuration error: {exc}", 2)
        if not isinstance(exc, DatabaseError):
            raise
        # The database cannot be reached or refused the work: say so without a traceback.
        db = _database_label()
        _fail(f"database error ({db}): {str(exc).strip() or type(exc).__name__}")


def _database_label() -> str:
    """The database in use, without its password."""
    try:
        from django.conf import settings

        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            return f"SQLite {db['NAME']}"
        return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    except Exception:
        return "unknown"


if __name__ == "__main__":
    main()
