"""The command line as an operator uses it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.sites import REPO, SiteDir, alert_doc

KINDALARM = [sys.executable, "-m", "render.cli"]


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KINDALARM, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_validate_prints_one_line_per_problem(site: SiteDir) -> None:
    site.photo("anna.jpg")
    bad = site.write("bad.json", alert_doc(level="urgent", child_age=21, child_hat="red"))
    done = run("validate", str(bad))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 3, done.stdout
    assert all(line.startswith(f"{bad}: ") for line in lines)
    assert f"{bad}: child.age: must be from 0 to 17, not 21" in lines
    assert "Traceback" not in done.stderr


def test_validate_accepts_every_shipped_example() -> None:
    examples = sorted(str(p) for p in (REPO / "examples" / "alerts").glob("*.*") if p.is_file())
    done = run("validate", *examples)
    assert (done.returncode, done.stdout) == (0, "")


def test_new_prints_a_template_that_validates_once_filled_in(site: SiteDir) -> None:
    done = run("new", "--level", "vermist-kind")
    assert done.returncode == 0 and 'level = "vermist-kind"' in done.stdout
    site.photo("voornaam.jpg")
    path = site.write("new.toml", done.stdout)
    check = run("validate", str(path))
    assert (check.returncode, check.stdout) == (0, "")


def test_build_exit_codes(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    args = ["--site", str(site.root), "build", "--alerts", str(site.alerts),
            "--out", str(site.out)]
    assert run(*args).returncode == 0
    site.write("zz-broken.toml", "id = ")
    done = run(*args)
    assert done.returncode == 1
    assert "rejected zz-broken.toml: file: is not valid TOML" in done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads((site.out / "api" / "alerts.json").read_text())["alerts"]  # rest published
    assert run(*args, "--bogus").returncode == 2


def test_user_errors_are_one_line_never_a_traceback(site: SiteDir) -> None:
    missing = run("--site", str(site.root), "build", "--alerts", str(site.root / "nope"))
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1].endswith("does not exist")
    site.settings_text('base_url = "ftp://x"\n')
    bad_config = run("--site", str(site.root), "build", "--alerts", str(site.alerts))
    assert bad_config.returncode == 2
    assert "base_url: must be an absolute http(s) URL" in bad_config.stderr
    assert "Traceback" not in missing.stderr + bad_config.stderr
    site.settings_text("[displays.x]\nwidth = 10\nheight = 10\ncolour = \"rgb\"\n")
    typo = run("--site", str(site.root), "build", "--alerts", str(site.alerts))
    assert "unknown setting 'colour'; did you mean 'color'?" in typo.stderr


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from render.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = {'PIL', 'weasyprint', 'watchdog', 'jinja2'} & set(sys.modules)\n"
            "print(sorted(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]"
