"""`make lab` as a student meets it: JupyterLab opens on the student's own working copy (root
included), without the instructor's nbgrader tools, and a course update pulls cleanly after the
student has worked in their copy."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import course
import pytest

ROOT = course.ROOT


def copy_course(target):
    """The files `make lab` uses, copied with their times (so make sees the venv as up to date)."""
    target.mkdir()
    for name in ["Makefile", "pyproject.toml", "README.md", ".gitignore", "tools", "notebooks", "lessons"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True,  # not what running the notebooks left
                            ignore=shutil.ignore_patterns("__pycache__", "runs", "videos", "wandb"))
        else:
            shutil.copy2(source, target / name)
    return target


def git(folder, *args):
    result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                            env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                                     GIT_COMMITTER_EMAIL="t@t"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_course_update_pulls_cleanly_after_work_in_the_working_copy(tmp_path):
    upstream = copy_course(tmp_path / "upstream")
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "course")
    student = tmp_path / "student"
    git(tmp_path, "clone", "-q", str(upstream), str(student))

    made = subprocess.run([sys.executable, "tools/course.py", "workcopy"], cwd=student, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    lesson = sorted((student / "notebooks").glob("*.ipynb"))[0].name
    answer = student / "work" / lesson
    answer.write_text(answer.read_text().replace("raise NotImplementedError(", "my_answer = 1  # (", 1))
    assert git(student, "status", "--porcelain") == "", "the working copy is ignored by git"

    update = upstream / "notebooks" / lesson
    update.write_text(update.read_text().replace("# Lesson", "# Lesson (updated)", 1))
    git(upstream, "commit", "-q", "-am", "a course update")
    git(student, "pull", "-q")
    assert "(updated)" in (student / "notebooks" / lesson).read_text(), "the update arrived"
    assert "my_answer = 1" in answer.read_text(), "the student's work is untouched"

    again = subprocess.run([sys.executable, "tools/course.py", "workcopy"], cwd=student, capture_output=True, text=True)
    assert "0 new lesson(s)" in again.stdout and "my_answer = 1" in answer.read_text(), "a copy is never overwritten"
    answer.unlink()
    subprocess.run([sys.executable, "tools/course.py", "workcopy"], cwd=student, check=True, capture_output=True)
    assert "(updated)" in answer.read_text(), "a deleted copy comes back fresh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_lab_opens_jupyterlab_on_the_working_copy_without_instructor_tools(tmp_path):
    venv = ROOT / ".venv"
    if not (venv / ".installed").exists():
        pytest.skip("needs the course's .venv (make test makes it)")
    course_copy = copy_course(tmp_path / "course")
    port = free_port()
    args = f"--no-browser --port {port} --ServerApp.token=t --ServerApp.ip=127.0.0.1"
    lab = subprocess.Popen(["make", "-s", "lab", f"VENV={venv}", f"LAB_ARGS={args}"], cwd=course_copy,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        contents = None
        for _ in range(120):
            if lab.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/?token=t", timeout=5) as reply:
                    contents = json.load(reply)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=t", timeout=10) as reply:
                    page = reply.read().decode()
                break
            except OSError:
                time.sleep(1)
        assert contents is not None, f"JupyterLab did not start: {lab.stdout.read() if lab.poll() is not None else ''}"
        names = sorted(item["name"] for item in contents["content"])
        assert names == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")), "it opens the working copy"
        assert (course_copy / "work").is_dir()
        config = json.loads(page.split('id="jupyter-config-data"', 1)[1].split(">", 1)[1].split("</script>", 1)[0])
        assert "@jupyter/nbgrader" in config["disabledExtensions"], "no nbgrader menus for students"
    finally:
        os.killpg(lab.pid, 15)
        output = lab.communicate(timeout=30)[0]
    assert "nbgrader" not in output, "no nbgrader server extension (nor its missing-config warning)"
    if os.geteuid() == 0:
        assert "--allow-root" in subprocess.run(["make", "-n", "lab", f"VENV={venv}"], cwd=course_copy,
                                                capture_output=True, text=True).stdout
