"""The lessons as a student meets them in JupyterLab: a real headless Chromium (Debian's) driven by
Playwright, JupyterLab started on 127.0.0.1, every cell run with "Run All", then what is on the
page checked: no error output, the slider is a rendered widget (not its text), the video plays
from a <video> element. Quick mode keeps the training short."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import course
import pytest

CHROMIUM = Path("/usr/bin/chromium")
LESSONS = {"01": "video", "02": "slider"}  # a lesson with a video, one with a slider
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUN_ALL_TIMEOUT_S = 600


def browser_or_skip():
    reasons = []
    if not CHROMIUM.exists():
        reasons.append(f"{CHROMIUM} is missing (Debian's package `chromium`; .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reasons.append("Playwright is missing (`pip install playwright`; .ci/run installs it)")
        sync_playwright = None
    if reasons:
        message = "BROWSER TEST SKIPPED: " + "; ".join(reasons)
        warnings.warn(message, stacklevel=2)
        print(message, file=sys.stderr)
        pytest.skip(message)
    return sync_playwright


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a student's working copy, in quick mode, with the app exposed to the page."""
    sync_playwright = browser_or_skip()
    work = tmp_path_factory.mktemp("work")
    for source in course.lesson_sources():
        if source.stem[:2] in LESSONS:
            shutil.copyfile(course.notebook_path(source, "student"), work / f"{source.stem}.ipynb")
    port = free_port()
    env = dict(os.environ, DQN_QUICK="1", JUPYTER_CONFIG_PATH=str(course.ROOT / "tools" / "student-jupyter-config"),
               WANDB_MODE="disabled")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         "--ServerApp.token=t", "--LabApp.expose_app_in_browser=True", "--allow-root", f"--ServerApp.root_dir={work}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=t", timeout=5).close()
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("JupyterLab did not start")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser, port, work
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext || !panel.sessionContext.session) return null;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const kernel = panel.sessionContext.session.kernel;
  return {
    status: kernel ? kernel.status : 'none',
    ran: cells.filter(c => c.model.executionCount !== null).length,
    code: cells.length,
    errors: cells.flatMap(c => c.model.outputs.toJSON()).filter(o => o.output_type === 'error')
                 .map(o => o.ename + ': ' + o.evalue),
    path: panel.context.path,
  };
}"""


@pytest.mark.slow
@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_run_all_in_jupyterlab_shows_no_error_and_renders_widgets_and_videos(lab, lesson):
    browser, port, work = lab
    notebook = next(work.glob(f"{lesson}_*.ipynb")).name
    page = browser.new_page()
    # a workspace of its own, reset: only this notebook is open, and it is the current one
    page.goto(f"http://127.0.0.1:{port}/lab/workspaces/lesson{lesson}/tree/{notebook}?reset&token=t")
    page.wait_for_function(f"() => {{ const s = ({STATE})(); return s && s.status === 'idle' && s.path === "
                           f"'{notebook}'; }}", timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    done = "s && s.status === 'idle' && (s.ran === s.code || s.errors.length > 0)"  # Run All stops at an error
    page.wait_for_function(f"() => {{ const s = ({STATE})(); return {done}; }}", timeout=RUN_ALL_TIMEOUT_S * 1000,
                           polling=1000)
    state = page.evaluate(f"() => ({STATE})()")
    assert state["errors"] == [], f"{notebook}: error outputs {state['errors']}"
    assert state["ran"] == state["code"], f"{notebook}: {state['ran']} of {state['code']} code cells ran"
    if LESSONS[lesson] == "slider":
        assert page.locator(".widget-slider, .jupyter-widgets .slider").count() > 0, "the slider is not rendered"
        assert page.get_by_text("IntSlider(").count() == 0, "the slider shows as text, not as a widget"
    if LESSONS[lesson] == "video":
        assert page.locator("video").count() > 0, "no <video> element"
    page.close()
