"""The words casework's pages show for the codes the views keep: a case's state, the kinds of deadline, the steps of
its timeline, the rating levels, the matter list's handling classes, the kinds of department, the queues. Msgids
only (translated where they are shown), so the templates and the notices say the same."""

from __future__ import annotations

from backend.i18n import N_

STATES = {
    "queued": N_("waiting to be accepted"),
    "accepted": N_("being handled"),
    "answered": N_("answered: waiting for your rating"),
    "closed": N_("closed"),
    "merged": N_("merged into another case"),
}
# The same states as the handlers read them (they do not rate).
HANDLER_STATES = {**STATES, "answered": N_("answered: waiting for the ratings")}
DUE_KINDS = {
    "accept": N_("accept (响应)"),
    "answer": N_("answer (办结)"),
    "report": N_("department reports in (报到)"),
    "department": N_("department answers"),
    "rating": N_("rating window"),
}
LEVELS = {
    "satisfied": N_("满意 (satisfied)"),
    "basically_satisfied": N_("基本满意 (basically satisfied)"),
    "dissatisfied": N_("不满意 (dissatisfied)"),
}
CHANNELS = {"self": N_("by the resident"), "phone": N_("by phone (回访)"), "visit": N_("on a visit (回访)")}
HANDLING = {"immediate": N_("即办 (solved in the community)"), "whistle": N_("吹哨 (a department)")}
KINDS = {
    "city": N_("城管 (city management)"),
    "police": N_("派出所 (police station)"),
    "market": N_("市场监管所 (market supervision)"),
    "power": N_("供电所 (power supply)"),
    "property": N_("物业公司 (property company)"),
    "other": N_("other"),
}
QUEUE_REASONS = {
    "grid": N_("new in the grid"),
    "no_grid": N_("no grid covers its place"),
    "reopened": N_("reopened: the resident was not satisfied"),
    "requeued": N_("its owner no longer handles cases"),
}
AUTHORITIES = {"clerk": N_("the clerk"), "grid_worker": N_("the grid worker"), "building_head": N_("the 楼长")}
OUTCOMES = {"rated": N_("closed after the ratings"), "unrated": N_("closed unrated (未评价)")}
WHISTLE_ENDS = {"answered": N_("answered"), "returned": N_("returned (退单)"), "rerouted": N_("re-routed")}

# A timeline step, by the event's class; %(who)s is whoever took it (masked on the resident's page).
STEPS = {
    "Raised": N_("%(who)s raised the case"),
    "Accepted": N_("%(who)s accepted it (首问负责)"),
    "UrgencyDowngraded": N_("%(who)s marked it not urgent"),
    "NoteAdded": N_("%(who)s added a progress note"),
    "HandedOver": N_("%(who)s handed it to a colleague"),
    "Requeued": N_("Back to the clerk's queue: its owner no longer handles cases"),
    "Joined": N_("A neighbour has the same problem (我也遇到)"),
    "Absorbed": N_("%(who)s merged a duplicate into it"),
    "Merged": N_("%(who)s merged it into another case"),
    "Whistled": N_("%(who)s whistled it to a department (吹哨)"),
    "Rerouted": N_("The street re-routed the whistle"),
    "ReportedIn": N_("The department reported in (报到)"),
    "WhistleReturned": N_("The department returned it as not its own (退单)"),
    "DepartmentAnswered": N_("The department answered"),
    "ExtensionRequested": N_("%(who)s asked for more time"),
    "ExtensionApproved": N_("The clerk approved more time"),
    "ExtensionDeclined": N_("The clerk declined more time"),
    "Answered": N_("%(who)s answered (办结)"),
    "Rated": N_("Rated"),
    "Reopened": N_("Reopened: to the clerk's queue"),
    "Closed": N_("Closed"),
    "Reminded": N_("Deadline notice"),
}
# Steps only the handlers see (the deadlines' notices are theirs).
INTERNAL_STEPS = frozenset({"Reminded"})
