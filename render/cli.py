"""`kindalarm`: the command line. Thin on purpose: heavy libraries (Pillow, WeasyPrint,
watchdog) are imported inside the commands that need them, so `--help`, `new` and
`validate` of a photo-less file start instantly."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # only for type checkers: the CLI stays light to import
    from click._termui_impl import ProgressBar  # what click.progressbar returns

    from .config import Settings
    from .mirror.mirror import Mirror
    from .pipeline.build import Builder
    from .push.deliver import Deliverer

from .errors import ConfigError, KindalarmError

log = logging.getLogger("kindalarm")


def setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s",
                                           "%H:%M:%S"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False


class Site:
    """The site directory (`--site`): its settings, read when a command needs them."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def settings(self) -> Settings:
        from .config import load_settings

        return load_settings(self.path)

    def alerts(self, given: Path | None) -> Path:
        return (given or self.path / "alerts").absolute()

    def out(self, given: Path | None) -> Path:
        return (given or self.path / "output").absolute()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Site directory with kindalarm.toml, templates/, fonts/.")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.version_option(package_name="kindalarm")
@click.pass_context
def main(ctx: click.Context, site: Path, verbose: bool) -> None:
    """Publish missing-child alerts from an alert directory to every outlet."""
    from .heap import limit_arenas

    limit_arenas()  # before any thread starts
    setup_logging(verbose)
    if not site.is_dir():
        raise ConfigError(f"site directory {site} does not exist")
    ctx.obj = Site(site)


alerts_option = click.option("--alerts", "alerts_dir", type=click.Path(
    file_okay=False, path_type=Path), help="Alert directory [default: SITE/alerts].")
out_option = click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                          help="Output directory, the web root [default: SITE/output].")


def push_deliverer(builder: Builder) -> Deliverer | None:
    from .push.deliver import Deliverer

    hold = builder.mirror.lacks if builder.mirror else None  # pushes name mirrored files
    return Deliverer(builder.outbox, builder.settings, hold=hold) if builder.outbox else None


def deliver_pending(deliverer: Deliverer, seconds: float) -> None:
    """Send what the build offered, for up to `seconds`; what is left goes out with the
    next build or watch (the exit code depends on the alert files alone)."""
    deliverer.start()
    try:
        if not deliverer.wait_empty(seconds):
            log.warning("%d push(es) still pending after %.0f s; the next build or watch "
                        "sends them", deliverer.outbox.pending(), seconds)
    finally:
        deliverer.close(timeout=1.0)


mirror_option = click.option(
    "--mirror", "mirror_url", metavar="s3://BUCKET/PREFIX",
    help="Also mirror the tree into this bucket [default: [mirror] url of kindalarm.toml].")
mirror_check_option = click.option(
    "--mirror-check", is_flag=True,
    help="List the bucket again: trust no record, upload what its ETags show to differ, "
         "remove keys the tree does not have.")


def open_mirror(builder: Builder, url: str | None, check: bool = False) -> Mirror | None:
    """The mirror of `--mirror` or `[mirror]`, known to the builder (status.json shows it)."""
    from .mirror.mirror import Mirror
    from .mirror.settings import with_url

    settings = with_url(builder.settings.mirror, url) if url else builder.settings.mirror
    if settings is None:
        return None
    builder.mirror = Mirror(builder.out, settings, check=check)
    return builder.mirror


def mirror_once(builder: Builder, mirror: Mirror, seconds: float) -> None:
    """`build`: make the bucket equal the tree, waiting up to `seconds`; then status.json
    says how that went, and follows into the bucket."""
    for _ in range(2):
        if not mirror.sync(seconds):
            backlog = mirror.backlog()
            log.warning("mirror: %d upload(s) and %d deletion(s) still pending after %.0f s "
                        "(%s); the next build or watch catches up", backlog.uploads,
                        backlog.deletions, seconds, backlog.last_error or "no error")
            break
        builder.run()  # status.json shows the mirror's new backlog, and is mirrored next


@main.command()
@alerts_option
@out_option
@mirror_option
@mirror_check_option
@click.option("--wait", "wait_seconds", type=click.FloatRange(min=0), default=30.0,
              show_default=True, metavar="SECONDS",
              help="Wait this long for pending pushes (webhooks, WebSub) and the mirror.")
@click.pass_obj
def build(site: Site, alerts_dir: Path | None, out: Path | None, mirror_url: str | None,
          mirror_check: bool, wait_seconds: float) -> None:
    """Build the published tree once. Exit 1 if some alert file was rejected."""
    from .pipeline.build import Builder

    alert_dir = site.alerts(alerts_dir)
    if not alert_dir.is_dir():
        raise ConfigError(f"alert directory {alert_dir} does not exist")
    from .pipeline.workers import worker_processes

    builder = Builder(site.path, alert_dir, site.out(out), site.settings())
    processes = min(2, os.cpu_count() or 1)
    builder.publisher.workers += processes  # render threads waiting for a worker do nothing
    try:
        mirror = open_mirror(builder, mirror_url, mirror_check)
        deliverer = push_deliverer(builder)  # before the build: a missing secret stops it
        with progress_reporter("rendering") as progress, worker_processes(processes):
            result = builder.run(progress=progress)
        if mirror:  # the files first: pushes name them
            mirror.sync(wait_seconds)
        if deliverer and deliverer.outbox.pending():
            deliver_pending(deliverer, wait_seconds)
            builder.run()  # status.json shows the backlog as the wait left it
        if mirror:
            mirror_once(builder, mirror, wait_seconds)
    finally:
        if builder.mirror:
            builder.mirror.close()
        builder.close()
    if result.rejected:
        click.echo(f"{len(result.rejected)} alert file(s) rejected; see the .error.txt files "
                   "beside them", err=True)
    if result.report.failed:
        click.echo(f"{len(result.report.failed)} file(s) could not be rendered", err=True)
    if not result.ok:
        sys.exit(1)


@main.command()
@alerts_option
@out_option
@click.option("--serve", "address", metavar="[HOST:]PORT",
              help="Also serve the output for preview (host 127.0.0.1 unless given).")
@click.option("--poll", is_flag=True,
              help="Poll the directory instead of inotify (network shares, some containers).")
@mirror_option
@mirror_check_option
@click.pass_obj
def watch(site: Site, alerts_dir: Path | None, out: Path | None, address: str | None,
          poll: bool, mirror_url: str | None, mirror_check: bool) -> None:
    """Build, then keep the output in step with the alert directory until SIGINT/SIGTERM."""
    import signal
    import threading

    from .pipeline.build import Builder
    from .pipeline.watch import Watcher
    from .serve import parse_address, serve_in_thread

    alert_dir = site.alerts(alerts_dir)
    if not alert_dir.is_dir():
        raise ConfigError(f"alert directory {alert_dir} does not exist")
    served = parse_address(address) if address else None
    builder = Builder(site.path, alert_dir, site.out(out), site.settings())
    open_mirror(builder, mirror_url, mirror_check)  # passes run beside the build loop
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("%s received", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    server = serve_in_thread(builder.out, *served) if served else None
    try:
        Watcher(builder, stop=stop, poll=poll).run()
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        builder.close()


class progress_reporter:
    """A bar on a terminal, a plain line every 10% otherwise; silent for small jobs."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: ProgressBar[int] | None = None  # made at the first call of a large job
        self.shown = 0
        self.tty = sys.stderr.isatty()

    def __enter__(self) -> progress_reporter:
        return self

    def __call__(self, done: int, total: int) -> None:
        if total < 50:
            return
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
                self.bar.__enter__()
            self.bar.update(1)
        elif done * 10 // total > self.shown or done == total:
            self.shown = done * 10 // total
            log.info("%s: %d of %d files", self.label, done, total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check alert files as `build` would; print every problem as FILE: field: message."""
    from .alert.loader import load_alert_file
    from .alert.photos import photo_decode_problems
    from .alert.problems import Problem

    bad = 0
    for file in files:
        if not file.is_file():
            problems = [Problem("file", "no such file")]
        else:
            result = load_alert_file(file, file.absolute().parent)
            problems = result.problems
            if result.alert is not None:  # as strict as `build`: the whole photo decodes
                problems = [*problems, *photo_decode_problems(result.alert)]
        for problem in problems:
            click.echo(problem.line(str(file)))
        bad += bool(problems)
    if bad:
        sys.exit(1)


@main.command()
@click.option("--level", type=click.Choice(["kind-alarm", "vermist-kind"]),
              default="kind-alarm", show_default=True)
def new(level: str) -> None:
    """Print a commented alert template to start from."""
    from .templating import BUILTIN_TEMPLATES

    text = (BUILTIN_TEMPLATES / "new-alert.toml").read_text(encoding="utf-8")
    click.echo(text.replace("@LEVEL@", level), nl=False)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the proofs [default: SITE/proof/NAME].")
@click.pass_obj
def proof(site: Site, file: Path, out: Path | None) -> None:
    """Render every output of one alert, plus contact-sheet.png, into a folder.
    Never touches the published output."""
    from .proof import ProofError
    from .proof import proof as make_proof

    target = (out or site.path / "proof" / file.stem).absolute()
    published = site.out(None)
    if target == published or published in target.parents:
        raise ConfigError(f"--out {target} is inside the published output; choose another "
                          "folder")
    site.settings()  # a bad kindalarm.toml is one clear error before anything is drawn
    try:
        made = make_proof(site.path, file, target)
    except ProofError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for note in made.notes:
        click.echo(note)
    click.echo(f"{len(made.files)} file(s) in {target}; look at "
               f"{target / 'contact-sheet.png'}")


@main.command()
@out_option
@click.argument("address", default="127.0.0.1:8000")
@click.pass_obj
def serve(site: Site, out: Path | None, address: str) -> None:
    """Serve the output for preview on [HOST:]PORT (default 127.0.0.1:8000)."""
    from .serve import parse_address, serve_forever

    host, port = parse_address(address)
    serve_forever(site.out(out), host, port)


@main.group()
def keys() -> None:
    """Signing keys: displays check manifests and the API against the public key."""


@keys.command("new")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def keys_new(file: Path) -> None:
    """Write a new Ed25519 signing key to FILE (PEM, mode 0600; never over an existing file)
    and print its key id and public key. Keep FILE outside the output; set it as
    [signing] key_file."""
    import json

    from .signing import new_key_file

    try:
        jwk = new_key_file(file)
    except FileExistsError:
        raise KindalarmError(f"{file} exists already; a signing key is never overwritten "
                             "(choose another name, or delete it yourself)") from None
    except OSError as exc:
        raise KindalarmError(f"cannot write {file}: {exc.strerror}") from None
    click.echo(f"key id (kid): {jwk['kid']}")
    click.echo(f"public key (give it to display owners to pin): {json.dumps(jwk)}")


if __name__ == "__main__":
    main()
