"""社区动态 / 通知公告 (news): the clerk posts news and policy notices (惠民政策, 停水停电, 活动, 通知),
pinned or not, with an expiry or not; edits them (each edit a new version, the history kept) and withdraws
them (撤回, with a reason). An important notice (重要) asks each resident for 已读, and the clerk sees who has
not read it, per building. The same reading mark records that a resident opened a notice of the board (公示).
domain/ holds the aggregates, commands.py runs them, web/ serves them; their views are in projections/news/."""
