"""Shared machinery of the write side: the event log, the command context, running and saving commands, errors,
the policy and the ports the contexts program against. It names no context."""
