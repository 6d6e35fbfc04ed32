"""The stop button during "Run All": the run is saved, execution stops at the training cell, and
the student sees one line saying so (no traceback). Driven through a real kernel, as JupyterLab
drives it: cells executed one by one, the interrupt sent while the training cell runs."""

import os
import queue
import time

import course
import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

LESSON = next(s for s in course.lesson_sources() if s.stem.startswith("06"))
TRAINING_CELL = "train_run(slides_trainer"
TIMEOUT_S = 600


def run_cell(client, code: str, interrupt=None) -> dict:
    """Execute ``code``; with ``interrupt``, call it once the cell has shown its first output."""
    msg_id = client.execute(code)
    deadline = time.monotonic() + TIMEOUT_S
    interrupted = interrupt is None
    while True:
        try:
            message = client.get_iopub_msg(timeout=1)
        except queue.Empty:
            message = None
        if time.monotonic() > deadline:
            raise TimeoutError(f"cell did not finish: {code[:60]!r}")
        if message is None or message["parent_header"].get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if not interrupted and kind in ("stream", "display_data", "update_display_data"):
            time.sleep(0.5)  # the loop is running: its progress bar is on screen
            interrupt()
            interrupted = True
        if kind == "status" and message["content"]["execution_state"] == "idle":
            break
    return client.get_shell_msg(timeout=60)["content"]


@pytest.mark.slow
def test_interrupting_the_training_cell_saves_the_run_and_stops_run_all(tmp_path):
    nb = nbformat.read(course.notebook_path(LESSON, "student"), as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any(TRAINING_CELL in code for code in cells)
    # wandb as a student meets it: "auto" logs offline without a login (the W&B deep dive reads that run back)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")} | {"DQN_QUICK": "1",
                                                                                  "SDL_VIDEODRIVER": "dummy"}
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=env)
    try:
        for code in cells:
            if TRAINING_CELL in code:
                reply = run_cell(client, code, interrupt=manager.interrupt_kernel)
                break
            reply = run_cell(client, code)
            assert reply["status"] == "ok", f"{code[:80]!r}: {reply.get('ename')}: {reply.get('evalue')}"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    # An error reply is what makes JupyterLab, Colab and nbclient stop "Run All" at this cell.
    assert reply["status"] == "error" and reply["ename"] == "RunInterrupted", reply
    assert len(reply["traceback"]) == 1 and "Run this cell again to resume" in reply["traceback"][0]
    assert (tmp_path / "runs" / "lesson06-slides" / "run.pt").exists(), "the interrupted run is saved"
