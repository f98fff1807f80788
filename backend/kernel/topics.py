"""The names the log knows an aggregate's classes by. Every stored event carries a topic, "module:Class.Event", from
which it is loaded again, and the projector selects the events a projection handles by their topics. An aggregate
that moves to another module would change its topics: the events already in a deployment's log would no longer
load, and a rebuild of the views would skip them. So a moved aggregate keeps the topics of the module it came from.
"""

from __future__ import annotations

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import register_topic


def keep_topics(module: str, *aggregates: type) -> None:
    """The aggregates, and the event classes they hold, keep the topics they had when they lived in `module`:
    events in the log still load, projections still select them, and new events are stored under the same topics.
    Called right after the classes are defined (before anything asks for their topics)."""
    for aggregate in aggregates:
        events = [c for c in vars(aggregate).values() if isinstance(c, type) and issubclass(c, CanMutateAggregate)]
        for cls in (aggregate, *events):
            topic = f"{module}:{cls.__qualname__}"
            cls.TOPIC = topic  # type: ignore[attr-defined]  # eventsourcing's explicit topic
            register_topic(topic, cls)
