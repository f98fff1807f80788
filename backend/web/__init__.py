"""Shared machinery of the interface: the app factory, pages, sign-in, sessions, the shell, live updates and the
one way a form runs a command (`act`). Only the app factory names the contexts."""
