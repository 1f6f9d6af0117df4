"""Names and negations checked beyond figures: sentences written for these tests.

Each rule has a case that fails with the rule switched off (``rules_off``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.verify import Claim, rules_off, verify_claims, verify_text

SEED = Path(__file__).resolve().parent.parent / "seeds" / "north-korean-troops-kursk.txt"


def _verdicts(source: str, claim: str, kind: str) -> list[tuple[str, str]]:
    rep = verify_text(source, claim)
    return [(v.figure.text, v.verdict) for c in rep.checks for v in c.verdicts if v.kind == kind]


def test_the_issue_example_on_the_seed() -> None:
    src = SEED.read_text(encoding="utf-8")
    ok = verify_text(src, "Zelensky said 11,000 North Korean soldiers are in the Kursk region.")
    assert ok.verified
    bad = verify_text(src, "Kim Jong Un said 11,000 North Korean soldiers are in the Kursk region.")
    assert not bad.verified
    (v,) = [
        v for c in bad.checks for v in c.verdicts if v.kind == "entity" and v.verdict != "supported"
    ]
    assert v.figure.text == "Kim Jong Un" and v.verdict == "not_found" and v.evidence
    assert "Kim Jong Un" in v.reason


SRC = (
    "Volodymyr Zelenskyy met Antony J. Blinken in Kyiv on Tuesday. The United States pledged "
    "more aid. Engineers at the European Space Agency praised the Webb telescope. "
    "Students marched in London outside the ministry. Researchers trained CNNs on the data."
)


@pytest.mark.parametrize(
    "claim",
    [
        "Zelenskyi met Blinken in Kyiv.",  # transliteration, short form
        "Zelensky met Anthony Blinken in Kyiv.",  # a middle initial between the words
        "The US pledged more aid.",  # an abbreviation of a name the source spells out
        "U.K. students marched outside the ministry.",  # a country by its capital
        "British students marched outside the ministry.",  # its people
        "Researchers trained a CNN.",  # a plural abbreviation in the source
        "Engineers at the ESA praised the telescope.",  # initials of the spelled-out name
    ],
)
def test_names_written_differently_are_supported(claim: str) -> None:
    rep = verify_text(SRC, claim)
    assert rep.verified, [(v.figure.text, v.reason) for c in rep.checks for v in c.verdicts]


@pytest.mark.parametrize(
    ("claim", "name"),
    [
        ("Vladimir Putin met Blinken in Kyiv.", "Vladimir Putin"),
        ("Engineers at NASA praised the telescope.", "NASA"),
        ("French students marched outside the ministry.", "French"),
    ],
)
def test_a_name_the_source_never_gives_is_flagged(claim: str, name: str) -> None:
    assert (name, "not_found") in _verdicts(SRC, claim, "entity")
    with rules_off("names"):
        assert verify_text(SRC, claim).verified


def test_a_countrys_people_need_the_places_rule() -> None:
    claim = "U.K. students marched outside the ministry."
    assert verify_text(SRC, claim).verified
    with rules_off("places"):
        assert not verify_text(SRC, claim).verified


@pytest.mark.parametrize(
    ("source", "claim", "flagged"),
    [
        ("North Korea pays Russia for the shells.", "Russia pays North Korea for shells.", True),
        ("Russia is paid by North Korea.", "Russia pays North Korea.", True),  # a passive
        ("North Korea pays Russia for the shells.", "North Korea pays Russia.", False),
        # both ways round in the source: nothing to say
        ("Kyiv thanked Berlin. Later Berlin thanked Kyiv.", "Kyiv thanked Berlin.", False),
        ("The dog bit the man.", "The man bit the dog.", False),  # no names: out of scope
    ],
)
def test_swapped_roles(source: str, claim: str, flagged: bool) -> None:
    rep = verify_text(source, claim)
    roles = [v for c in rep.checks for v in c.verdicts if v.kind == "role"]
    assert bool(roles) == flagged, roles
    if flagged:
        assert roles[0].verdict == "contradicted" and roles[0].binds == "subject"


def test_a_person_may_be_named_apart() -> None:
    # "Tariq and Omar Haddad": first and last name are not side by side in the source
    src = "The brothers Tariq and Omar Haddad opened a bakery in Leeds."
    assert verify_text(src, "Omar Haddad opened a bakery.").verified


def test_names_in_cited_sentences_and_elsewhere() -> None:
    src = "Maria Lopez founded the firm. She sold it to Acme Corp in May."
    claim = Claim(id="1", text="Maria Lopez sold the firm to Acme Corp.", citations=[(30, 62)])
    rep = verify_claims(src, [claim])
    scopes = {v.figure.text: v.scope for v in rep.checks[0].verdicts if v.kind == "entity"}
    assert rep.verified and scopes == {"Maria Lopez": "document", "Acme Corp": "cited"}


NSRC = (
    "The council approved the new budget on Monday. Inspectors found no evidence of fraud. "
    "The mayor refused to sign the agreement with the union. Should the city sell the old "
    "stadium? The team tried to win the contract with the airline."
)


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("The council did not approve the new budget.", "contradicted"),
        ("The council never approved the new budget.", "contradicted"),
        ("Inspectors found evidence of fraud.", "contradicted"),
        ("Inspectors found no evidence of fraud.", "supported"),
        ("The mayor signed the agreement with the union.", "contradicted"),
        ("The mayor did not sign the agreement with the union.", "supported"),
    ],
)
def test_negation_must_agree(claim: str, verdict: str) -> None:
    got = [v for _, v in _verdicts(NSRC, claim, "negation")]
    assert got == [verdict]
    with rules_off("negation"):
        assert _verdicts(NSRC, claim, "negation") == []


@pytest.mark.parametrize(
    "claim",
    [
        "The city will not sell the old stadium.",  # the source only asks
        "The team did not win the contract with the airline.",  # trying asserts neither
        "The council approved a budget.",  # too little shared to align
        "The report not only approved the new budget but praised it.",  # "not only"
    ],
)
def test_a_weak_or_unasserted_alignment_says_nothing(claim: str) -> None:
    assert [v for _, v in _verdicts(NSRC, claim, "negation") if v != "supported"] == []


def test_figures_only_switches_the_other_checks_off() -> None:
    from agent.verify import NON_FIGURE_CHECKS

    claim = "Vladimir Putin did not approve the new budget."
    assert not verify_text(NSRC, claim).verified
    with rules_off(*NON_FIGURE_CHECKS):
        assert verify_text(NSRC, claim).verified


def test_a_verdict_says_what_it_checked() -> None:
    rep = verify_text(SRC, "Vladimir Putin met Blinken in Kyiv with 40 aides.")
    kinds = {v.figure.text: v.kind for c in rep.checks for v in c.verdicts}
    assert kinds["Vladimir Putin"] == "entity" and kinds["40"] == "figure"
    dumped = rep.model_dump(mode="json")
    assert dumped["schema_version"] == "3"
    assert {v["kind"] for v in dumped["checks"][0]["verdicts"]} == {"entity", "figure"}


def test_the_cli_checks_names_unless_told_figures_only(tmp_path: Path) -> None:
    import subprocess
    import sys

    summary = tmp_path / "s.md"
    summary.write_text("- Kim Jong Un said 11,000 North Korean soldiers are in the Kursk region.\n")
    cli = [sys.executable, "-c", "from agent.cli import main; main()"]
    base = [*cli, "verify", "--source", str(SEED), "--summary", str(summary)]
    env = {**__import__("os").environ, "VERISUM_HOME": str(tmp_path / "home")}
    r = subprocess.run(base, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1 and "Kim Jong Un" in r.stdout and "not_found" in r.stdout
    only = [*cli, "--figures-only", *base[3:]]
    r2 = subprocess.run(only, capture_output=True, text=True, env=env, timeout=120)
    assert r2.returncode == 0, r2.stdout + r2.stderr
    figs = {**env, "VERISUM_CHECKS": "figures"}
    r3 = subprocess.run(base, capture_output=True, text=True, env=figs, timeout=120)
    assert r3.returncode == 0, r3.stdout + r3.stderr


CALL = (
    "Clerk: We offer swimming, yoga and tennis classes. Caller: I am interested in yoga classes "
    "for my daughter. Clerk: Great. We also offer a free trial week. Caller: I don't "
    "need tennis lessons, I hurt my wrist. Would a discount apply to new members?"
)


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        # the negation's scope is in one sentence, which negates nothing: flagged
        ("The caller is not interested in yoga classes for the daughter.", "contradicted"),
        ("The clerk offers tennis classes but no free trial week.", "contradicted"),
        # the source negates it too
        ("The caller does not need tennis lessons.", None),
        # the source only asks about it: a question may be answered no
        ("No discount applies to new members.", None),
        # too little of the scope in the source to say anything
        ("The caller is not interested in a climbing course.", None),
        # the claim asserts nothing
        ("The clerk asks whether the caller is not interested in yoga classes.", None),
        # a degree, not the opposite
        ("The caller is not very interested in yoga classes for the daughter.", None),
    ],
)
def test_a_negation_the_source_never_makes(claim: str, verdict: str | None) -> None:
    got = [v for _, v in _verdicts(CALL, claim, "negation") if v != "supported"]
    assert got == ([verdict] if verdict else []), verify_text(CALL, claim).checks
    if verdict:
        with rules_off("negation_scope"):
            assert _verdicts(CALL, claim, "negation") == []


def test_an_abbreviation_inside_a_name_gives_its_letters() -> None:
    src = "UKRSB will keep testing the brakes, a UKRSB inspector said."
    claim = "The UK Rail Safety Board will keep testing brakes."
    assert verify_text(src, claim).verified
    with rules_off("initials"):
        assert not verify_text(src, claim).verified


def test_a_negation_in_a_clause_without_a_verb_is_read_in_finite_time() -> None:
    # a verbless headline: walking up from the cue must stop at the root
    rep = verify_text("The visitors scored twice in the second half.", "No goal for the hosts.")
    assert len(rep.checks) == 1
