"""What the home page reads that no context's queries offer yet."""
