"""The API fuzz (schemathesis against a live server); see run.py."""
