"""The community context's domain: the community aggregate (community.py) and the rulebook's rules (rules.py)."""
