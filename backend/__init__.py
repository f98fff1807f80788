"""Linli 邻里 write side and web interface."""
