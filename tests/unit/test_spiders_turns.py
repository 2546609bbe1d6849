"""imagespider/spiders/turns.py: which engine runs each query and which takes it over, as plain state."""

from __future__ import annotations

from imagespider.query import Query
from imagespider.spiders.turns import Turns

CAT, DOG = Query("cat", "cat"), Query("dog", "dog")


def turns() -> Turns:
    return Turns(lambda query: ("openverse", "commons", "bing"))


def test_a_query_runs_its_engines_in_order_until_none_is_left() -> None:
    state = turns()
    assert state.next_engine(CAT) == "openverse" and state.is_current(CAT, "openverse")
    assert state.next_note(CAT) == "; commons takes over"
    assert state.stop(CAT, "openverse") and state.next_engine(CAT) == "commons"
    assert state.stop(CAT, "commons") and state.next_engine(CAT) == "bing"
    assert state.next_note(CAT) == "; no engine left"
    assert state.stop(CAT, "bing") and state.next_engine(CAT) is None
    assert state.current[CAT] is None and state.idle() == [CAT]
    assert state.finish(CAT) and not state.finish(CAT) and state.idle() == []


def test_a_late_answer_of_an_engine_that_no_longer_runs_the_query_changes_nothing() -> None:
    state = turns()
    state.next_engine(CAT)
    state.stop(CAT, "openverse")
    state.next_engine(CAT)
    assert not state.stop(CAT, "openverse"), "openverse's late failure must not end commons' turn"
    assert state.is_current(CAT, "commons")


def test_a_query_another_worker_started_is_adopted_at_the_engine_its_answer_names() -> None:
    """In a distributed job the first request of a query this worker sees may be any engine's."""
    state = turns()
    state.adopt(DOG, "commons")
    assert state.is_current(DOG, "commons") and state.next_note(DOG) == "; bing takes over"
    state.adopt(DOG, "openverse")  # a query this worker knows keeps its engine
    assert state.is_current(DOG, "commons")
    state.finish(DOG)
    state.adopt(DOG, "bing")  # nor does a finished one start again
    assert state.current[DOG] is None


def test_a_resumed_job_starts_at_the_engine_it_was_running() -> None:
    state = turns()
    assert state.resume_at(CAT, "commons") and state.next_engine(CAT) == "commons"
    assert not state.resume_at(DOG, "altavista") and not state.resume_at(DOG, "openverse")
    assert state.next_engine(DOG) == "openverse"


def test_hand_overs_are_queued_once_and_can_be_taken_back() -> None:
    state = turns()
    state.hand_over(CAT)
    state.hand_over(CAT)
    state.hand_over(DOG)
    state.cancel_handover(DOG)
    assert state.take_handover() == CAT and state.take_handover() is None
