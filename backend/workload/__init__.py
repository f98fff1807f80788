"""减负 (issue 30): less paperwork for the committee. Task admission (准入清单: the street's list of work a
community may be asked to do, departments' tasks, 申请准入), certificates by the national rules (证明事项: the 不应出具
and 可以出具 lists, requests, issuing with gapless numbers, 作废, verification by check code) and the one table (一表通)
generated from the log. domain/ holds the aggregates and the lists' rules, commands/ runs them, web/ serves them;
their views are in projections/workload/."""
