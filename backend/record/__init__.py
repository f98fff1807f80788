"""The record: the log's signed checkpoints (issue 24). The chain and the Merkle tree over the log are projections
(projections/chain); this context signs what they say, so that a reader can check the log without trusting the
server."""
