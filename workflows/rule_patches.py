"""Changes to the rules that running courses must not see halfway.

A rule that changes what a course does next (when a message goes, which meeting a reply
confirms) would make a run begun under the old rule act differently when its history is
replayed. So each such change is a patch: a run asks `workflow.patched` once, when it starts
(workflows/programme.py), and keeps the answer in its state; a run begun before the change
keeps the old rule until it continues as new. The law is the exception: a decision made
today falls under today's law, so a run begun before LAW_2026 takes it at its first task
after the change (ProgrammeWorkflow._adopt_the_law).
"""

from models.programme import ProgrammeState

# Replies go to the message they answer; every message to the citizen goes by the citizen's
# channels and waits out quiet hours, fallbacks too; only a permanent failure stops SMS.
TRUSTED_MESSAGES = "trusted-messages-2026-12"

# Progression is measured from the start of the course: the first round falls due when the
# preparation starts, on the course's one timer.
PROGRESSION = "progression-2026-12"

# The law as it stands in December 2026 (domain brief, sections 7 and 8): course types; a
# ressourceforløb of at most 36 months unless the citizen wishes more, the six-month effort
# rule, and no new ressourceforløb after the cut-off; the cross-department course.
LAW_2026 = "law-2026-12"

# A ressourceforløb decision dated before the cut-off but recorded after it is refused for a
# course not registered as running: a date typed in today must not let a new course through.
DECISION_DATES = "decision-dates-2026-12"

RULE_PATCHES = (TRUSTED_MESSAGES, PROGRESSION, LAW_2026, DECISION_DATES)


def in_effect(state: ProgrammeState, patch: str) -> bool:
    return patch in state.rule_patches
