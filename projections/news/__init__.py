"""社区动态's views: the news items with their versions, and the residents' readings (of important items and of the
board's notices)."""
