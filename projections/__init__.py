"""Read models built from the event log (Piccolo tables) and the projector that keeps them current."""
