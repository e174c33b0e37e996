"""Recruiter-task triggers: fire on crossing into the task band, with hysteresis (re-arm) and a cooldown. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from connector.scoring.model import BANDS, Score

if TYPE_CHECKING:
    from connector.scoring.config import ScoringModel


@dataclass(frozen=True)
class TaskTriggerState:
    """Per contact: may a task fire (armed), and when did the last one fire."""

    armed: bool = True
    last_fired_at: datetime | None = None


def decide_task(state: TaskTriggerState, score: Score, now: datetime,
                model: ScoringModel) -> tuple[bool, TaskTriggerState]:
    """Whether to create a task now, and the state to store.

    Fires when the score is in the task band (fan) or above, the trigger is armed, the contact is not
    suppressed and no task fired within the cooldown. Firing disarms; only a score below the re-arm
    threshold arms again, so a score wobbling around the band edge makes one task, not many.
    A crossing during the cooldown is not lost: if the contact is still a fan when the cooldown ends,
    the task fires then (at most one per cooldown either way).
    """
    rule = model.triggers
    armed = state.armed or score.value < rule.rearm_below
    in_band = BANDS.index(score.band) >= BANDS.index(rule.task_band)
    cooled = state.last_fired_at is None or now - state.last_fired_at >= timedelta(days=rule.cooldown_days)
    if armed and in_band and cooled and not score.suppressed:
        return True, TaskTriggerState(armed=False, last_fired_at=now)
    if armed == state.armed:
        return False, state
    return False, TaskTriggerState(armed=armed, last_fired_at=state.last_fired_at)
