"""The local model's room (DESIGN §2). Cursors, runs, facts and the lease still live in `connector/state.py`.

A package shadows the module of the same name, so that module's code is executed here, into this
package's namespace: `from connector import state; state.get_cursor(...)` keeps working unchanged and its
file stays where it is (other branches edit it). Moving it here is a later, behaviour-neutral commit.
"""

from pathlib import Path as _Path

_LEGACY = _Path(__file__).resolve().parent.parent / "state.py"
exec(compile(_LEGACY.read_text(encoding="utf-8"), str(_LEGACY), "exec"), globals())  # noqa: S102
