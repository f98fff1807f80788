"""The home page's route and its view models."""
