"""The module the log names volunteering's classes by. Its aggregates lived in one module,
`backend.volunteering.domain`, until the architecture step split it by aggregate; every stored event's topic names
that module, so each aggregate keeps it (`backend.kernel.topics.keep_topics`): a log written before the split still
loads, projects and rebuilds. The volunteer's diary, new with the split, is named the same way, so that all of
volunteering's topics read alike."""

TOPICS_MODULE = "backend.volunteering.domain"
