"""`pip install .` (a wheel, not an editable install) gives a `kindalarm` that publishes the
examples byte for byte as the checkout does, from a directory that is not the checkout and a
site with no templates or fonts of its own: they must come from inside the installed package.

Fast and offline: the wheel is built with this venv's setuptools (--no-build-isolation, no
index), and the fresh venv gets no dependencies of its own: a .pth file lends it this venv's
site-packages (read after its own, so its `render` is the installed one).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# What `pip install .` must not see or leave behind in the copy it builds from.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__",
                                    "output", ".output.state", "test-artifacts", "proof",
                                    ".pytest_cache", ".ruff_cache")
RUNTIME = ("status.json", "status.json.gz")  # when the tree was built


def start(args: list[str | Path], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.Popen([str(a) for a in args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen[str]) -> str:
    """The process's stdout, once it has exited 0."""
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"{proc.args} failed:\n{out}\n{err}"
    return out


def run(args: list[str | Path], cwd: Path) -> str:
    return finish(start(args, cwd))


def install_wheel(tmp: Path) -> Path:
    """Build the checkout's wheel (from a copy, so no build/ or egg-info lands in it) and
    install it into a new venv; the venv's directory."""
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", tmp / "wheel", source], cwd=tmp)
    [wheel] = (tmp / "wheel").glob("kindalarm-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    python = venv / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  cwd=tmp).strip()
    (Path(purelib) / "kindalarm-test-deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    run([*pip, "--python", python, "install", "--no-deps", "--no-index", wheel], cwd=tmp)
    return venv


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_pip_install_builds_the_same_tree_as_the_checkout(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"  # the working directory: neither checkout nor venv
    site_dir = elsewhere / "site"
    site_dir.mkdir(parents=True)
    shutil.copy(REPO / "kindalarm.toml", site_dir / "kindalarm.toml")  # settings only
    alerts = elsewhere / "alerts"
    shutil.copytree(REPO / "examples" / "alerts", alerts)
    installed, checkout = elsewhere / "out-installed", elsewhere / "out-checkout"
    build = ["--site", site_dir, "build", "--alerts", alerts, "--out"]
    # The checkout's build (its `render`, run from the checkout) while the wheel is made.
    reference = start([sys.executable, "-m", "render.cli", *build, checkout], cwd=REPO)
    try:
        venv = install_wheel(tmp_path)

        where = run([venv / "bin" / "python", "-c",
                     "import render, render.resources as r\n"
                     "print(render.__file__); print(r.TEMPLATES_DIR); print(r.FONTS_DIR)"],
                    cwd=elsewhere).split()
        for path in where:  # the installed package and the data inside it, not the checkout's
            assert Path(path).is_relative_to(venv), where
        assert all(Path(path).is_dir() for path in where[1:]), where
        assert not Path(where[0]).is_relative_to(REPO)

        run([venv / "bin" / "kindalarm", *build, installed], cwd=elsewhere)
        finish(reference)
    finally:
        reference.kill()  # if an assertion above left it running
        reference.wait()
    got, want = tree(installed), tree(checkout)
    assert sorted(got) == sorted(want)
    assert len(want) > 100 and "index.html" in want and RUNTIME[0] in want
    differ = [name for name in want if got[name] != want[name] and name not in RUNTIME]
    assert differ == []
