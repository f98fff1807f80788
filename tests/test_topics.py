"""Every event a log may already hold still loads. A stored event carries its class's topic ("module:Class.Event");
when an aggregate moves to another module it keeps its topics (`backend.kernel.topics.keep_topics`), or the events
of every existing deployment would fail to load and a rebuild of the views would skip them.
`fixtures/event_topics.txt` lists the topics of every event class as the log knew them before the architecture step
(2026-12-06); add to it, never remove from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.utils import get_topic, resolve_topic

import backend.contexts  # noqa: F401  (imports every context's domain, as the app and the CLI do)
import projections.registry  # noqa: F401

KNOWN = [line for line in (Path(__file__).parent / "fixtures" / "event_topics.txt").read_text().splitlines() if line]


@pytest.mark.parametrize("topic", KNOWN)
def test_a_topic_the_log_knows_still_loads_and_is_still_written(topic: str) -> None:
    event_class = resolve_topic(topic)
    assert get_topic(event_class) == topic, "new events of this class would be stored under another topic"
