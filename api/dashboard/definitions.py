"""The limits each course type is judged by, in Danish words, from the municipality's rules as
they are set (models/rules.py): the dashboard counts by these, so it states them beside its
figures rather than repeating numbers that a setting can change."""

from models.course_types import course_type
from models.enums import CourseType, Stage
from models.rules import CourseRules, stage_limits_on_path

# An outside party whose wait the dashboard counts beside the departments' (models/description.py).
HEALTH_COORDINATOR = "Regionens sundhedskoordinator"


def count(n: int, one: str, many: str) -> str:
    """A number with its noun in the singular or the plural."""
    return f"{n} {one if n == 1 else many}"


def days(n: int) -> str:
    return count(n, "dag", "dage")


def months(n: int) -> str:
    return count(n, "måned", "måneder")


def shown_types(course: CourseType | None) -> list[CourseType]:
    """The types a figure is split by: the chosen one, or all."""
    return [course] if course else list(CourseType)


def stage_limits(rules: CourseRules, type: CourseType) -> str:
    """The type's own stall limits of the stages it passes before its course, in path order."""
    return "; ".join(
        f"{stage.label.lower()} over {days(limit)}"
        for stage, limit in stage_limits_on_path(type, rules.of_type(type).stage_limit_days).items()
    )


def type_rules(rules: CourseRules, type: CourseType) -> str:
    """One type's limits: the course's length, the effort rule, the health coordinator's
    reminder and when a stage stands still."""
    limits = rules.of_type(type)
    length = (
        months(limits.max_months)
        if limits.min_months == limits.max_months
        else f"{limits.min_months}–{months(limits.max_months)}"
    )
    wished = (
        f"eller {months(limits.wished_total_months)}, når borgeren ønsker et længere forløb"
        if limits.wished_total_months > limits.total_months
        else "også når borgeren ønsker et længere forløb"
    )
    sentences = [
        f"{limits.name}: afgørelsen giver et forløb på {length}; med forlængelser højst "
        f"{months(limits.total_months)} fra afgørelsen, {wished}."
    ]
    if limits.effort_rule_months is not None:
        name = " (seksmånedersreglen)" if limits.effort_rule_months == 6 else ""
        sentences.append(
            f"Borgeren skal have en indsats senest {months(limits.effort_rule_months)} efter "
            f"afgørelsen{name}; er ingen indsats startet da, er reglen overskredet."
        )
    if Stage.HEALTH_ADVICE in course_type(type).path:
        sentences.append(
            "Har regionens sundhedskoordinator ikke givet sin rådgivning "
            f"{days(limits.health_advice_reminder_days)} efter anmodningen, får koordinatoren "
            "en påmindelse om at rykke."
        )
    if limits_text := stage_limits(rules, type):
        sentences.append(f"Sagen er i stå, når en fase står stille: {limits_text}.")
    return " ".join(sentences)
