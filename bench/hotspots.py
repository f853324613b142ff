"""Hot spots from py-spy's raw output (`py-spy record --format raw`): what bench/run.py --profile
prints, and a command for files recorded by hand:

    python -m bench.hotspots FILE...

A raw file has one line per distinct stack, root first: `f (file.py:12);g (lib.py:3) 17`, the
number being the samples of that stack. py-spy leaves idle threads out, so shares are of the CPU
time the workers spent. Three views: our functions by inclusive share (everything under them),
functions by self share (the frame on top), and where our code hands over to a library (the
deepest own frame and the call it made), which is usually the actionable one.
"""

import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*):(?P<line>\d+)\)$")


def _short(path):
    for marker in ("site-packages/", "/lib/python3."):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return tail if marker == "site-packages/" else tail.split("/", 1)[-1]
    return path


def _parse(files):
    for path in files:
        for line in Path(path).read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                frames = []
                for raw in stack.split(";"):
                    match = FRAME.match(raw)
                    if match:
                        frames.append((match["function"], match["file"]))
                    else:
                        frames.append((raw, ""))
                yield frames, int(count)


def _own_names(root):
    """Top-level packages and modules of the repository (py-spy shows paths from sys.path)."""
    names = set()
    for entry in Path(root).iterdir():
        if entry.suffix == ".py" or (entry.is_dir() and (entry / "__init__.py").exists()):
            names.add(entry.name)
    return names


def _is_own(path, root, names):
    if "site-packages" in path or "/.venv/" in path or path.startswith("<"):
        return False
    if path.startswith(root):
        return True
    return not path.startswith("/") and path.split("/", 1)[0] in names


def _relative(path, root):
    return path[len(root) :] if path.startswith(root) else path


def summarise(files, root, top=8):
    """Lines describing the hot spots of the stacks in `files` (our code under `root`)."""
    names = _own_names(root)
    root = str(root).rstrip("/") + "/"
    inclusive, self_time, handover = Counter(), Counter(), Counter()
    total = 0
    for frames, count in _parse(files):
        total += count
        seen = set()
        own_index = None
        for index, (function, path) in enumerate(frames):
            if _is_own(path, root, names):
                own_index = index
                key = f"{_relative(path, root)}:{function}"
                if key not in seen:
                    seen.add(key)
                    inclusive[key] += count
        if frames:
            function, path = frames[-1]
            self_time[f"{function} ({_short(path)})"] += count
        if own_index is not None and own_index + 1 < len(frames):
            function, path = frames[own_index]
            callee, callee_path = frames[own_index + 1]
            caller = f"{_relative(path, root)}:{function}"
            handover[f"{caller} -> {callee} ({_short(callee_path)})"] += count
    if not total:
        return ["(no samples)"]

    def share(counter):
        return [f"{100 * n / total:5.1f}%  {key}" for key, n in counter.most_common(top)]

    return [
        f"{total} samples",
        "our code, inclusive:",
        *("  " + line for line in share(inclusive)),
        "self time (top of stack):",
        *("  " + line for line in share(self_time)),
        "where our code calls out:",
        *("  " + line for line in share(handover)),
    ]


if __name__ == "__main__":
    for text in summarise(sys.argv[1:], Path(__file__).resolve().parent.parent, top=15):
        print(text)
