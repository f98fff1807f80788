"""The Chinese catalogue against the code: every message the code can show has a translation, and every translated
message is one `scripts/i18n` finds — a message passed through a helper it does not know (a form field's error, a
name check) would otherwise be dropped from the catalogue the next time it runs, and shown in English."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def extracted(tmp_path: Path) -> set[str]:
    """The messages `scripts/i18n` extracts, with its own keywords."""
    script = (ROOT / "scripts" / "i18n").read_text()
    keywords = re.findall(r"-k (\S+)", script)
    assert keywords, "scripts/i18n names its keywords"
    pybabel = Path(sys.executable).with_name("pybabel")
    out = tmp_path / "messages.pot"
    command = [str(pybabel), "extract", "-F", "babel.cfg", "--no-location", "-o", str(out), "."]
    command[2:2] = [arg for k in keywords for arg in ("-k", k)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with out.open("rb") as pot:
        return {m.id for m in read_po(pot) if m.id and isinstance(m.id, str)}


def test_every_message_is_translated_and_none_would_be_dropped(tmp_path):
    found = extracted(tmp_path)
    with (ROOT / "backend" / "i18n" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = {m.id: m.string for m in read_po(po) if m.id and isinstance(m.id, str)}
    untranslated = sorted(m for m in found if not catalogue.get(m))
    assert not untranslated, f"{len(untranslated)} messages without Chinese, e.g. {untranslated[:5]}"
    dropped = sorted(m for m in catalogue if m not in found)
    assert not dropped, f"scripts/i18n would drop {len(dropped)}: {shlex.join(dropped[:5])}"
