"""Every event the log can hold loads again in a process that imported only the CLI (`linli export`, a restore's
check): an aggregate that keeps an older module's topic (backend.kernel.topics) registers it when its own module is
imported, so backend.contexts imports every context's domain modules. `linli export` failed on PhoneClaim.Claimed
before (its module was imported by no part of the CLI's path)."""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys

from eventsourcing.domain import BaseAggregate, CanMutateAggregate
from eventsourcing.utils import get_topic

import backend


def stored_topic(cls: type) -> str:
    """The topic an event of `cls` is stored under: the kept one (backend.kernel.topics), else its own."""
    return getattr(cls, "TOPIC", None) or get_topic(cls)


def every_topic() -> list[str]:
    mutating = CanMutateAggregate
    topics = set()
    for context in pkgutil.iter_modules(backend.__path__):
        name = f"backend.{context.name}.domain"
        if not context.ispkg or importlib.util.find_spec(name) is None:
            continue
        for module in pkgutil.iter_modules(importlib.import_module(name).__path__):
            for value in vars(importlib.import_module(f"{name}.{module.name}")).values():
                if isinstance(value, type) and issubclass(value, BaseAggregate):
                    held = [c for c in vars(value).values() if isinstance(c, type) and issubclass(c, mutating)]
                    topics.update(stored_topic(c) for c in (value, *held))
    return sorted(topics)


def test_every_event_topic_loads_in_a_process_that_imported_only_the_cli():
    topics = every_topic()
    assert any(t.endswith("PhoneClaim.Claimed") for t in topics) and len(topics) > 100
    script = (
        "import json, sys\n"
        "import backend.cli\n"
        "from eventsourcing.utils import resolve_topic\n"
        "missing = []\n"
        "for topic in json.load(sys.stdin):\n"
        "    try:\n"
        "        resolve_topic(topic)\n"
        "    except Exception:\n"
        "        missing.append(topic)\n"
        "print(json.dumps(missing))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(topics), capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []
