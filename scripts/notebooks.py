"""Execute the course notebooks headless with the tslab kernel (nbclient, one Python process).

Run through `npm run notebooks` (scripts/notebooks.js), which finds a Python that has nbclient,
installs the kernel spec and sets JUPYTER_PATH, PATH and FORCE_COLOR.

    notebooks.py --root ROOT [--update] [--timeout SECONDS] [FILTER ...]

Every notebooks/NN-*.ipynb (or those whose name contains a FILTER) runs in its own fresh kernel,
cells in order, with notebooks/ as the working directory. The executed copy goes to
build/notebooks/, signed as trusted so that Jupyter shows its SVG and HTML outputs; with --update
it also replaces the stored notebook (only when it passed), signed the same way. A notebook fails
at its first cell that
  - gets an error reply from the kernel (tslab: a compile error or an exception),
  - has an output of type "error", or
  - prints error text to stderr: a TypeScript diagnostic ("3:7 - Type 'string' is not ..."),
    an "XxxError: ..." line or a stack frame ("    at f (file.ts:1:2)").
A cell tagged "allow-stderr" may print such text; "raises-exception" may also fail.
Exit status: 0 when every notebook passed, 1 otherwise, 2 on a usage error.
"""

import argparse
import json
import asyncio
import inspect
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

NOTEBOOK_NAME = re.compile(r"^\d\d-.*\.ipynb$")

STDERR_ERROR = [
    # tslab prints compile diagnostics as "[file ]LINE:COL - message"
    re.compile(r"^(?:\S+\.[jt]sx? )?\d+:\d+ - \S", re.M),
    # an exception printed by the kernel: "Error: boom", "TypeError: x is not a function", ...
    re.compile(r"^\s*(?:Uncaught\s+)?(?:[A-Za-z_$][\w$]*\.)*(?:[A-Z][\w$]*)?(?:Error|Exception)(?: \[[A-Z0-9_]+\])?: ", re.M),
    # a V8 stack frame
    re.compile(r"^\s+at (?:.+ \()?(?:\S+):\d+:\d+\)?$", re.M),
    re.compile(r"^unexpected error:", re.M),
    re.compile(r"UnhandledPromiseRejection|ERR_UNHANDLED_REJECTION"),
]

# A notebook must run top to bottom in at most this many seconds (notebook-standard.md).
BUDGET_SECONDS = 15
# How many of the slowest steps (kernel start, cells) to name after each notebook.
SLOWEST_SHOWN = 3

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")

USE_COLOR = sys.stdout.isatty() or os.environ.get("FORCE_COLOR", "0") not in ("", "0")


def paint(code, text):
    return f"\x1b[{code}m{text}\x1b[0m" if USE_COLOR else text


def stderr_error(text):
    plain = ANSI.sub("", text)
    return any(p.search(plain) for p in STDERR_ERROR)


def cell_problem(cell):
    """Error text found in a cell's outputs, or None."""
    tags = cell.get("metadata", {}).get("tags", [])
    problems = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            tb = "\n".join(out.get("traceback", []))
            problems.append(tb or f"{out.get('ename', 'Error')}: {out.get('evalue', '')}")
        elif kind == "stream" and out.get("name") == "stderr" and "allow-stderr" not in tags:
            text = out.get("text", "")
            if stderr_error(text):
                problems.append(text)
    return "\n".join(problems) if problems else None


def indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.rstrip("\n").split("\n"))


def report_failure(name, index, cell, message):
    print(paint("31;1", f"FAIL {name}: cell {index + 1}"), flush=True)
    print("  source:")
    print(indent(cell.source or "", "  | "))
    print("  error:")
    print(indent(ANSI.sub("", message).rstrip() or "(the kernel reported an error without text)", "  ! "))
    print(flush=True)


def run_notebook(path, notebooks_dir, timeout):
    """Execute one notebook in a fresh kernel. Returns (executed nb, ok, seconds, code cells run,
    timings): timings are (seconds, label) for the kernel's start and each code cell."""
    return asyncio.run(_run_notebook(path, notebooks_dir, timeout))


async def _run_notebook(path, notebooks_dir, timeout):
    name = os.path.basename(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        startup_timeout=120,
        kernel_name="tslab",
        resources={"metadata": {"path": notebooks_dir}},
        allow_errors=False,
        record_timing=False,
    )
    client.reset_execution_trackers()
    started = time.monotonic()
    code_cells = 0
    timings = []
    async with client.async_setup_kernel():
        msg_id = client.kc.kernel_info()
        if inspect.isawaitable(msg_id):
            msg_id = await msg_id
        info = await client.async_wait_for_reply(msg_id)
        if info is not None and "language_info" in info["content"]:
            nb.metadata["language_info"] = info["content"]["language_info"]
        timings.append((time.monotonic() - started, "kernel start"))
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            code_cells += 1
            message = None
            cell_started = time.monotonic()
            try:
                await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellTimeoutError:
                message = f"timed out after {timeout} s"
            except DeadKernelError as e:
                message = f"the kernel died: {e}"
            except CellExecutionError as e:
                if "raises-exception" in cell.get("metadata", {}).get("tags", []):
                    continue
                message = cell_problem(cell) or str(e)
            first_line = next((l for l in cell.source.splitlines() if l.strip()), "")
            timings.append((time.monotonic() - cell_started, f"cell {index}: {first_line[:60]}"))
            if message is None:
                message = cell_problem(cell)
            if message is not None:
                report_failure(name, index, cell, message)
                return nb, False, time.monotonic() - started, code_cells, timings
    return nb, True, time.monotonic() - started, code_cells, timings


def text_of_outputs(cell):
    """What a reader sees as text in a code cell's outputs: stdout and stderr (chunks joined, since
    the kernel may split a stream differently from run to run) and the text/plain of displays."""
    streams = {"stdout": "", "stderr": ""}
    shown = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            streams[o.get("name", "stdout")] = streams.get(o.get("name", "stdout"), "") + o.get("text", "")
        elif o.get("output_type") in ("display_data", "execute_result"):
            shown.append(o.get("data", {}).get("text/plain", ""))
        elif o.get("output_type") == "error":
            shown.append(o.get("ename", "error"))
    return streams, shown


def stale_cells(stored, executed):
    """Indexes of code cells whose stored text outputs differ from a fresh run's, with the first
    differing line. Runs are deterministic, so any difference means the stored outputs are old."""
    stale = []
    for index, (old, new) in enumerate(zip(stored.cells, executed.cells)):
        if old.cell_type != "code" or "nondeterministic-output" in old.get("metadata", {}).get("tags", []):
            continue
        if text_of_outputs(old) != text_of_outputs(new):
            old_lines = json.dumps(text_of_outputs(old), ensure_ascii=False).split("\\n")
            new_lines = json.dumps(text_of_outputs(new), ensure_ascii=False).split("\\n")
            first = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b), min(len(old_lines), len(new_lines)))
            stale.append((index, old_lines[first] if first < len(old_lines) else "(nothing)", new_lines[first] if first < len(new_lines) else "(nothing)"))
    return stale


def main(argv):
    parser = argparse.ArgumentParser(description="Execute the course notebooks with the tslab kernel.")
    parser.add_argument("--root", required=True, help="repository root")
    parser.add_argument("--update", action="store_true", help="write outputs back into notebooks/ (signed)")
    parser.add_argument("--timeout", type=int, default=300, help="per-cell time limit in seconds (default 300)")
    parser.add_argument(
        "--check-stored",
        action="store_true",
        help="fail if the outputs stored in notebooks/ differ from a fresh run (rerun with --update)",
    )
    parser.add_argument("filters", nargs="*", help="run only notebooks whose file name contains one of these")
    args = parser.parse_args(argv)

    notebooks_dir = os.path.join(args.root, "notebooks")
    out_dir = os.path.join(args.root, "build", "notebooks")
    names = sorted(n for n in os.listdir(notebooks_dir) if NOTEBOOK_NAME.match(n))
    if args.filters:
        names = [n for n in names if any(f in n for f in args.filters)]
        if not names:
            print(f"no notebook matches {' '.join(args.filters)}", file=sys.stderr)
            return 2
    if not names:
        print("no notebooks/NN-*.ipynb to run")
        return 0

    os.makedirs(out_dir, exist_ok=True)
    from nbformat.sign import NotebookNotary

    # Signing records the notebook's hash in Jupyter's signature database: a notebook whose
    # outputs we produced ourselves opens as trusted (its SVG and HTML outputs are shown).
    notary = NotebookNotary()

    failed = []
    over_budget = []
    total_started = time.monotonic()
    for name in names:
        path = os.path.join(notebooks_dir, name)
        print(f"running {name} …", flush=True)
        try:
            nb, ok, seconds, cells, timings = run_notebook(path, notebooks_dir, args.timeout)
        except Exception as e:  # kernel failed to start, unreadable notebook, ...
            print(paint("31;1", f"FAIL {name}: {type(e).__name__}: {e}"), flush=True)
            failed.append(name)
            continue
        notary.sign(nb)
        nbformat.write(nb, os.path.join(out_dir, name))
        if ok and args.check_stored and not args.update:
            stale = stale_cells(nbformat.read(path, as_version=4), nb)
            for index, old, new in stale:
                print(paint("31;1", f"STALE {name}: cell {index} stored output differs from a fresh run"), flush=True)
                print(f"    stored: {old[:160]}\n    fresh:  {new[:160]}", flush=True)
            if stale:
                print(f"    the stored outputs are out of date: run `npm run notebooks -- {name[:2]} --update`", flush=True)
                ok = False
        if ok:
            print(paint("32", f"ok   {name}") + f" ({cells} code cells, {seconds:.1f} s)", flush=True)
            slowest = sorted(timings, reverse=True)[:SLOWEST_SHOWN]
            print("     slowest: " + "; ".join(f"{t:.1f} s {label}" for t, label in slowest), flush=True)
            if seconds > BUDGET_SECONDS:
                over_budget.append(f"{name} {seconds:.1f} s")
            if args.update:
                nbformat.write(nb, path)  # signed above
                print(f"     updated notebooks/{name}", flush=True)
        else:
            failed.append(name)
    seconds = time.monotonic() - total_started
    if over_budget:
        print(paint("33;1", f"over the {BUDGET_SECONDS} s budget of a notebook (notebook-standard.md): " + ", ".join(over_budget)))
    print(
        f"notebooks: {len(names) - len(failed)} ok, {len(failed)} failed in {seconds:.1f} s"
        f" (executed copies in build/notebooks/)"
    )
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
