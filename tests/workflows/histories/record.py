"""Records the histories of representative courses as replay fixtures.

    .venv/bin/python -m tests.workflows.histories.record

Runs the workflow tests named below with FORLOEB_RECORD_HISTORIES set, so each keeps every run
of every course it started in this folder. Record new fixtures beside the old ones, never over
them: a history recorded before a change to workflow code must still replay after it
(tests/workflows/test_replay.py, and "Changing workflow code" in the README).
"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

SCENARIOS = [
    "test_programme.py::test_full_course_from_referral_to_follow_up_runs_in_seconds",
    "test_programme.py::test_deviating_decision_goes_back_to_the_team_first",
    "test_programme.py::test_early_end_needs_a_reason_and_starts_the_follow_up_timer",
    "test_tasks.py::test_acknowledgement_reminder_and_repeated_escalation_count_working_days",
    "test_tasks.py::test_start_and_due_dates_escalate_too",
    "test_tasks.py::test_declining_a_recommended_task_flags_the_case_for_the_team",
    "test_replies.py::test_two_meetings_messaged_in_the_window_leave_a_short_answer_to_the_coordinator",
    "test_replies.py::test_a_reply_that_says_more_reaches_the_coordinator_whole_and_confirms_nothing",
    "test_replies.py::test_a_reply_by_signal_acts_once_and_a_signal_that_cannot_apply_leaves_the_course_running",
    "test_meetings.py::test_a_failed_cancellation_falls_back_and_a_dead_number_is_skipped_after",
    "test_meetings.py::test_a_fallback_waits_for_the_end_of_quiet_hours",
    "test_meetings.py::test_a_failed_sms_falls_back_to_the_next_channel",
    "test_meetings.py::test_moving_a_meeting_sends_the_new_time_and_no_stale_reminder",
    "test_meetings.py::test_the_caseworker_calls_when_the_citizen_prefers_it",
    "test_handover.py::test_handover_is_pending_until_the_receiver_accepts",
    "test_continuity.py::test_efforts_and_pauses_recorded_through_the_workflow",
    "test_stall.py::test_an_open_gap_stalls_the_course_until_a_pause_is_justified",
    "test_continue_as_new.py::test_continue_as_new_keeps_the_state_and_the_timeline",
    "test_consent.py::test_consent_lets_a_task_have_another_departments_information_until_withdrawn",
    "test_goals.py::test_a_goal_its_sub_goals_and_what_works_towards_them",
    "test_progression.py::test_a_round_opens_at_the_start_and_again_three_months_after_it_was_done",
    "test_progression.py::test_a_citizen_reached_only_by_calls_is_asked_at_the_next_conversation",
    "test_progression.py::test_no_round_falls_due_once_the_course_has_ended",
    "test_citizen_page.py::test_the_citizen_confirms_or_asks_for_a_new_time_on_their_page",
    "test_citizen_page.py::test_the_citizen_chooses_only_channels_the_municipality_can_use",
    "test_citizen_page.py::test_a_sign_in_code_goes_at_once_even_in_quiet_hours",
    "test_course_types.py::test_a_cross_department_course_from_referral_to_the_follow_up",
    "test_course_types.py::test_the_six_month_rule_flags_a_course_without_an_effort_and_not_one_with",
    "test_course_types.py::test_a_registered_course_keeps_its_dates_and_its_timers_fall_where_the_law_puts_them",
    "test_projection_path.py::test_an_action_that_arrives_with_the_start_leaves_the_referral_in_the_timeline",
    "test_law_adoption.py::test_a_course_begun_before_the_law_is_refused_a_new_ressourceforloeb_after_the_change",
    "test_law_adoption.py::test_a_course_decided_before_the_law_is_judged_only_if_its_six_months_still_run",
]


def main() -> int:
    folder = HERE / sys.argv[1] if len(sys.argv) > 1 else HERE
    folder.mkdir(parents=True, exist_ok=True)
    tests = [str(HERE.parent / scenario) for scenario in SCENARIOS]
    env = {**os.environ, "FORLOEB_RECORD_HISTORIES": str(folder)}
    return subprocess.call([sys.executable, "-m", "pytest", "-q", *tests], env=env)


if __name__ == "__main__":
    sys.exit(main())
