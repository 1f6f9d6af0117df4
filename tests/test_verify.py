"""The verifier's rules: tolerances, context, contradictions, citations, the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.verify import Claim, VerificationReport, claims_from_text, verify_claims, verify_text

SOURCE = (
    "Ukrainian intelligence has recorded 11,000 North Korean soldiers in the Kursk region. "
    "Officials said about 3,000 tanks were moved to the border in spring. "
    "Russia will pay the soldiers $2,000 a month. "
    "The 92-year-old died this week at her home. "
    "As a 19-year-old telephone operator, Keefe posed for the painting on May 29, 1943. "
    "The ceremony drew 10,970 visitors. "
    "Some 3.5 million birds were culled. "
    "Turnout was 45.3% in the city. "
    "Arsenal beat Chelsea 2-1 on Saturday."
)


def verdicts(claim: str, source: str = SOURCE) -> list[tuple[str, str]]:
    rep = verify_text(source, claim)
    return [(v.figure.text, v.verdict) for c in rep.checks for v in c.verdicts]


def verdict(claim: str, source: str = SOURCE) -> str:
    got = verdicts(claim, source)
    assert len(got) == 1, got
    return got[0][1]


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("Intelligence recorded 11,000 North Korean soldiers in Kursk.", "supported"),
        ("Intelligence recorded eleven thousand North Korean soldiers in Kursk.", "supported"),
        ("Intelligence recorded 11K North Korean troops in Kursk.", "supported"),
        ("Intelligence recorded 12,000 North Korean soldiers in Kursk.", "contradicted"),
        ("Intelligence recorded 11,000 North Korean drones in Kursk.", "not_found"),
        ("Intelligence recorded 11,000 North Korean tanks in Kursk.", "contradicted"),
        ("Russia pays the soldiers $2,000 per month.", "supported"),
        ("Russia pays the soldiers $2,000 a week.", "contradicted"),
        ("Russia pays the soldiers $3,000 a month.", "contradicted"),
        ("Russia pays the soldiers £2,000 a month.", "not_found"),
        ("Keefe was a 19-year-old telephone operator.", "supported"),
        ("Keefe was a 92-year-old telephone operator.", "contradicted"),
        ("The painting was made on May 29, 1943.", "supported"),
        ("The painting was made on May 29.", "supported"),
        ("The painting was made in 1943.", "supported"),
        ("The painting was made on June 14, 1946.", "contradicted"),
        ("Arsenal beat Chelsea 2-1.", "supported"),
        ("Arsenal beat Chelsea 3-1.", "contradicted"),
    ],
)
def test_verdicts(claim: str, expected: str) -> None:
    assert verdict(claim) == expected


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("The ceremony drew about 11,000 visitors.", "supported"),  # 10,970 within 5%
        ("The ceremony drew 11,000 visitors.", "contradicted"),  # unhedged: exact
        ("The ceremony drew more than 10,000 visitors.", "supported"),
        ("The ceremony drew nearly 11,000 visitors.", "supported"),
        ("The ceremony drew under 10,000 visitors.", "contradicted"),
        ("The ceremony drew at least 10,970 visitors.", "supported"),
        ("The ceremony drew between 10,000 and 12,000 visitors.", "supported"),
        ("Some 3.5 million birds were culled.", "supported"),
        ("About 3.5 million birds were culled.", "supported"),
        ("3.5 million birds were culled.", "supported"),  # a scaled figure is itself rounded
        ("Turnout was 45% in the city.", "supported"),  # rounding to the written precision
        ("Turnout was 45.30% in the city.", "supported"),
        ("Turnout was 45.2% in the city.", "contradicted"),
    ],
)
def test_tolerances(claim: str, expected: str) -> None:
    assert verdict(claim) == expected


def test_hedged_source_does_not_support_an_exact_claim() -> None:
    src = "Officials said about 11,000 soldiers had arrived in the region."
    assert verdict("Officials said 11,000 soldiers had arrived.", src) != "supported"
    assert verdict("Officials said about 11,000 soldiers had arrived.", src) == "supported"
    assert verdict("Officials said around 11,000 soldiers had arrived.", src) == "supported"


def test_swapped_numbers_in_one_sentence() -> None:
    src = "The flights will cover 1,836 miles and consume more than 9,180 gallons of fuel."
    assert verdict("The flights will cover 1,836 miles.", src) == "supported"
    assert verdict("The flights will cover 9,180 miles.", src) != "supported"
    assert verdict("They consume more than 9,180 gallons of fuel.", src) == "supported"


def test_durations_convert_between_units() -> None:
    src = "He was sentenced to 24 months in prison for the theft."
    assert verdict("He was sentenced to two years in prison.", src) == "supported"
    assert verdict("He was sentenced to three years in prison.", src) != "supported"


def test_absent_figure_is_not_found() -> None:
    v = verify_text(SOURCE, "The army lost 734 helicopters.").checks[0].verdicts[0]
    assert v.verdict == "not_found"
    assert v.reason


def test_evidence_offsets_are_exact() -> None:
    rep = verify_text(SOURCE, "Russia pays the soldiers $2,000 per month.\nTurnout was 45%.")
    for check in rep.checks:
        for v in check.verdicts:
            assert v.evidence
            for ev in v.evidence:
                assert SOURCE[ev.start : ev.end] == ev.text
            assert v.source_figure is not None
            assert SOURCE[v.source_figure.start : v.source_figure.end] == v.source_figure.text


def test_citations_and_cited_elsewhere() -> None:
    pay = SOURCE.index("Russia will pay")
    pay_end = SOURCE.index(".", pay) + 1
    tanks = SOURCE.index("Officials said")
    right = Claim(id="a", text="They are paid $2,000 a month.", citations=[(pay, pay_end)])
    wrong = Claim(
        id="b",
        text="They are paid $2,000 a month.",
        citations=[(tanks, SOURCE.index(".", tanks) + 1)],
    )
    rep = verify_claims(SOURCE, [right, wrong])
    assert rep.checks[0].verdicts[0].verdict == "supported"
    assert rep.checks[0].verdicts[0].scope == "cited"
    v = rep.checks[1].verdicts[0]
    assert v.verdict == "cited_elsewhere"
    assert v.evidence[0].start >= pay
    assert not rep.verified


def test_report_model() -> None:
    rep = verify_text(SOURCE, "- 11,000 soldiers are in Kursk.\n- They get $9,999 a month.")
    assert isinstance(rep, VerificationReport)
    assert rep.counts["claims"] == 2 and rep.counts["figures"] == 2
    assert rep.counts["supported"] == 1
    assert rep.verified is False
    assert [c.verified for c in rep.checks] == [True, False]
    dumped = rep.model_dump(mode="json")
    assert dumped["schema_version"] == "1" and dumped["verified"] is False
    assert (
        VerificationReport.model_validate(
            {k: v for k, v in dumped.items() if k not in ("counts", "verified")}
        ).counts
        == rep.counts
    )


def test_claim_without_figures_is_verified() -> None:
    rep = verify_text(SOURCE, "Keefe posed for a painting.")
    assert rep.checks[0].verdicts == [] and rep.verified


def test_claims_from_text() -> None:
    claims = claims_from_text(
        "  • First bullet 3.\n  • Second one.\n\n- third\n1. fourth\n"
        "Prose here. And a second sentence."
    )
    assert [c.text for c in claims] == [
        "First bullet 3.",
        "Second one.",
        "third",
        "fourth",
        "Prose here.",
        "And a second sentence.",
    ]
    assert [c.id for c in claims] == ["1", "2", "3", "4", "5", "6"]


def _seed_parts(seed: Path) -> tuple[str, str]:
    lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
    bullets = "".join(line for line in lines if line.startswith("  •"))
    body = "".join(line for line in lines if not line.startswith("  •"))
    return bullets, body


def test_seed_article(seed_path: Path) -> None:
    bullets, body = _seed_parts(seed_path)
    rep = verify_text(body, bullets)
    got = {v.figure.text: v for c in rep.checks for v in c.verdicts}
    assert set(got) == {"11,000", "8,000", "$2,000 per month"}
    assert got["11,000"].verdict == "supported"
    assert got["$2,000 per month"].verdict == "supported"
    assert "$2,000 a month" in got["$2,000 per month"].evidence[-1].text
    # the article itself attributes "8,000 ... were captured in the Kursk region" to Blinken
    assert got["8,000"].verdict == "supported"
    assert "Blinken" in got["8,000"].evidence[-1].text


def test_seed_article_with_altered_figures(seed_path: Path) -> None:
    bullets, body = _seed_parts(seed_path)
    altered = (
        bullets.replace("11,000", "12,000")
        .replace("$2,000 per month", "$2,000 per week")
        .replace("8,000", "11,000")
    )
    rep = verify_text(body, altered)
    got = [(v.figure.text, v.verdict) for c in rep.checks for v in c.verdicts]
    assert all(verdict != "supported" for _, verdict in got), got


# ----------------------------------------------------------------- rules added for issue 3
def test_claim_is_aligned_to_the_sentence_it_paraphrases() -> None:
    src = (
        "The 92-year-old died this week at her home in Simsbury. "
        "As a 19-year-old telephone operator, Keefe posed for the famous painting."
    )
    assert verdict("Keefe was a 19-year-old telephone operator at the time.", src) == "supported"
    assert verdict("Keefe was a 92-year-old telephone operator at the time.", src) == (
        "contradicted"
    )


def test_other_claim_figures_explain_their_own_source_values() -> None:
    src = "Abbie Conman, 12, and Kerry Green, 13, were targeted by an online predator."
    got = verdicts("Abbie Conman, 12, and Kerry Green, 13, were targeted.", src)
    assert [v for _, v in got] == ["supported", "supported"]


def test_a_scaled_source_figure_may_round_the_claim() -> None:
    src = "He topped the list with a fortune of £13.2bn. Blavatnik is worth £13.17billion."
    assert verdict("Blavatnik tops the list with a £13.17billion fortune.", src) == "supported"
    assert verdict("Blavatnik tops the list with a £15.17billion fortune.", src) != "supported"


def test_bare_figures_are_not_taken_as_roundings() -> None:
    src = "Yields touched 0.5% on Wednesday, the highest level since January."
    assert verdict("Yields touched 0.505% on Wednesday.", src) != "supported"


def test_bounds_restating_bounds_keep_their_number() -> None:
    src = "The author has over 40 books to her name."
    assert verdict("The author has over 40 books.", src) == "supported"
    assert verdict("The author has over 33 books.", src) != "supported"
    assert verdict("The author has at least 40 books.", src) == "supported"


def test_up_to_supports_its_stated_maximum() -> None:
    src = "Many are rorting the system so they can drive for up to 16 hours a day."
    assert verdict("They can drive for 16 hours a day.", src) == "supported"
    assert verdict("They can drive for 18 hours a day.", src) != "supported"


def test_money_per_period_conflicts_only_on_the_same_amount() -> None:
    src = "The living wage is £9.15 an hour. It would cut benefits by £6.7bn a year."
    assert verdict("Rolling out a £9.15 an hour wage is planned.", src) == "supported"
    assert verdict("Rolling out a £9.15 a day wage is planned.", src) != "supported"


# ---------------------------------------------------------------- round 3: binding rules
@pytest.mark.parametrize(
    ("source", "claim", "expected"),
    [
        # an age is not a duration: "17-year hobby" does not support "the 17-year-old"
        (
            "Indeed the 26-year-old has amassed so many toys during her 17-year hobby.",
            "The 17-year-old has amassed toys.",
            "contradicted",
        ),
        # a count of things is not an age
        (
            "The 26 year old owns 16 expensive timepieces.",
            "He owns 26 timepieces.",
            "contradicted",
        ),
        # an appositive age belongs to the person named: no evidence about someone else
        (
            "She is divorced with a son Stephan, 17, and a daughter. The 60-year-old works in "
            "nursing.",
            "The 60-year-old works in nursing.",
            "supported",
        ),
        # ordinals of different things: "for the first time" says nothing against "17th"
        (
            "The win made it three wins in a row for the first time since 2000, lifting "
            "Leicester to 17th.",
            "The win lifted Leicester to 17th in the table.",
            "supported",
        ),
        # a rate is not a height
        (
            "The airliner fell at 9,500ft a minute and dropped to just 1,100ft above the ocean.",
            "The airliner dropped to just 9,500ft above the ocean.",
            "contradicted",
        ),
        # a rate "1 in 12" is one figure
        (
            "One in 12 truckies are high when pulled over.",
            "1 in 12 truck drivers are high.",
            "supported",
        ),
        (
            "One in 12 truckies are high when pulled over.",
            "1 in 10 truck drivers are high.",
            "contradicted",
        ),
        # a year is not a day of the month
        (
            "On 23 February the firm guided for sales of $5bn in 2023.",
            "The firm guided for sales of $5bn in 2023.",
            "supported",
        ),
    ],
)
def test_binding_rules(source: str, claim: str, expected: str) -> None:
    got = {t: v for t, v in verdicts(claim, source)}
    key = next(t for t in got if any(ch.isdigit() for ch in t) or "year" in t)
    assert got[key] == expected, got


def test_relative_amount_is_not_contradicted_by_a_total() -> None:
    src = "The result leaves the side on 25 points, one point shy of safety."
    assert verdict("The side needs two more points to be safe.", src) != "contradicted"


def test_clause_binds_a_figure_to_its_subject() -> None:
    src = (
        "Net long-term migration was estimated to be 298,000 in the year to September, "
        "a major rise on the 210,000 figure a year earlier."
    )
    assert verdict("Net migration at 210,000.", src) != "supported"
    assert verdict("Net migration at 298,000.", src) == "supported"


def test_a_value_met_only_in_an_unrelated_sentence_is_not_support() -> None:
    src = (
        "Esteban Cambiasso has been superb for the Foxes this season. "
        "Pearson praised the defence after the game. "
        "Leicester won three in a row for the first time since 2000."
    )
    assert verdict("Cambiasso has been superb for the Foxes since 2000.", src) == "not_found"
    # ages, dates and decades carry their own binding and stand without context
    assert verdict("The 48-year-old loves records.", "Ursula, a 48-year-old nurse, sings.") == (
        "supported"
    )


def test_paraphrased_unit_words_compare() -> None:
    src = "The boy survived four nights alone in the bush, doctors said."
    assert verdict("Doctors praised him after his four-day ordeal in the bush.", src) == "supported"


# --- round 4: precision rules -------------------------------------------------------------
_OUTBREAK = (
    "The virus first appeared in the region in 1997. "
    "Between 2003 and 2014, the province recorded 56 cases, 37 of which were fatal. "
    "Doctors there say the hospitals were overwhelmed. "
    "In total, 870 people worldwide have been infected, and 457 deaths have been reported in "
    "21 countries."
)


def test_value_in_the_best_aligned_sentence_survives_a_noun_paraphrase() -> None:
    """ "870 cases" paraphrases "870 people" in the sentence that also states the claim's other
    figures: supported, not contradicted by "56 cases" elsewhere."""
    got = verdicts(
        "Since then, around 870 cases have been reported worldwide, with 457 deaths in "
        "21 countries.",
        _OUTBREAK,
    )
    assert got == [
        ("around 870", "supported"),
        ("457", "supported"),
        ("21", "supported"),
    ]
    # a value changed in that sentence is still caught
    got = verdicts(
        "Since then, around 970 cases have been reported worldwide, with 457 deaths in "
        "21 countries.",
        _OUTBREAK,
    )
    assert got[0] == ("around 970", "contradicted")


def test_noun_paraphrase_alone_does_not_support() -> None:
    """Without co-figures agreeing in that sentence, a different noun still rules a match out."""
    assert verdict("Intelligence recorded 11,000 North Korean drones in Kursk.") == "not_found"


def test_measures_of_different_things_do_not_contradict() -> None:
    source = (
        "The penthouse measures 11,000 square feet over two levels. "
        "The suite also has 5,000 square foot of private outdoor roof space."
    )
    assert verdict("The 11,000 square foot suite is the largest in town.", source) != (
        "contradicted"
    )
    assert verdict("The suite has 8,000 square foot of roof space.", source) == "contradicted"


def test_a_contradiction_needs_its_own_sentence_or_the_best_alignment() -> None:
    """A different value lifted only by a co-figure bonus ("12" sits in its sentence) and not
    bound to the claim's words is no contradiction."""
    source = (
        "Lesley Conman's daughter Abbie, 12, was sent messages by an online predator. "
        "Ms Conman's daughter Abbie, 12, was sent a message by the man after accepting a "
        "friend request from someone pretending to be a 17-year-old boy. "
        "The police were told about it. "
        "In the case of Ms Green's daughter Emily, 13, the man threatened to post pictures."
    )
    got = verdicts(
        "Abbie Conman, 12, and Kerry Green, 13, were targeted by online predator.", source
    )
    assert got == [("12", "supported"), ("13", "supported")]


@pytest.mark.parametrize(
    ("source", "claim"),
    [
        ("Ms King has two children with her ex-husband.", "She has two sons with her ex-husband."),
    ],
)
def test_noun_synonyms(source: str, claim: str) -> None:
    assert verdict(claim, source) == "supported"


# --- round 5: slot alignment ------------------------------------------------------------------
def test_slot_catches_a_year_swapped_in_from_a_weaker_slot() -> None:
    """The sentence the claim paraphrases holds 1967 ("a conviction in ___"), but the claim's
    slot ("in ___ Moore escaped from the Butner prison") holds 1972: contradicted."""
    source = (
        "Moore was serving a sentence for larceny in Butner after a conviction in 1967. "
        "Officials said the weather was cold that winter. "
        "Moore escaped from the Butner prison in 1972."
    )
    claim = (
        "Officials said in 1967 Moore escaped from the Butner prison, serving a sentence for "
        "larceny."
    )
    assert verdict(claim, source) == "contradicted"
    assert verdict("Moore escaped from the Butner prison in 1972.", source) == "supported"


def test_slot_score_sides() -> None:
    """A slot word on the other side of the figure counts half, or fully when unsided (time
    adverbials move around their clause: "in 1967 he escaped" / "escaped in 1972")."""
    from agent.figures import content_words, extract_figures
    from agent.verify import _index, figure_slot, slot_score

    claim = "In 1967 Moore escaped from the prison."
    src = "Moore escaped from the prison in 1972."
    cf, sf = extract_figures(claim)[0], extract_figures(src)[0]
    cslot = figure_slot(content_words(claim), cf)
    sslot = figure_slot(content_words(src), sf)
    assert ("escap", 1) in cslot and ("escap", -1) in sslot
    idf = _index(src, None).idf
    assert slot_score(cslot, sslot, idf, sided=False) > slot_score(cslot, sslot, idf) > 0


def test_slot_ignores_the_vouching_of_a_sentence_holding_two_values() -> None:
    """A co-figure ("2013") vouches for the claim's value only when the sentence holding that
    value has no other value in as good a slot: here it also states "$30,900 per year", so the
    strong slot elsewhere ("fees reportedly topped $30,000") decides."""
    source = (
        "Tuition fees at the college reportedly topped $30,000 per year. "
        "The college does not advertise its tuition fees. "
        "In 2013 the tuition fees at the college were reported to be $30,900 per year with an "
        "extra $24,121 for boarders."
    )
    got = verdicts(
        "Tuition fees at the college reportedly topped $24,121 per year in 2013.", source
    )
    assert got == [("$24,121 per year", "contradicted"), ("2013", "supported")]


def test_a_part_of_a_total_is_no_contradiction() -> None:
    """ "executed five people ... to shoot two more" is a part of the claim's seven, not a
    different count of the same thing."""
    source = (
        "Police killed a gunman who slaughtered seven after losing two games of pool. "
        "The pair executed five people inside the pool hall and took to the street to shoot "
        "two more."
    )
    assert verdict(
        "Police killed the shooter who executed seven people in a pool hall.", source
    ) != ("contradicted")


def test_grounding_is_the_share_of_claim_words_in_the_evidence() -> None:
    from agent.verify import MIN_GROUNDING, grounding

    ev = ["Acme Corp reported revenue of $12 million in 2023."]
    assert grounding("Acme reported revenue of $12 million.", ev) == 1.0
    assert grounding("Revenues were reported by Acme.", ev) == 1.0  # stems match
    assert grounding("The source is a JSON object with bullet points.", ev) < MIN_GROUNDING
    assert grounding("12 2023", ev) == 1.0  # no content words: nothing to ground
    assert grounding("Acme reported weather.", ev) == pytest.approx(2 / 3)


# ----------------------------------------------------------------- identifiers
ID_SOURCE = (
    "Spain's Former Under 21 coach Julen Lopetegui has managed Porto. "
    "Nye worked as an engineer at Boeing in 1978. "
    "He designed a part of the company's 747 planes. "
    "Flight MH17 crashed over Ukraine. "
    "Sales of SARS-CoV-2 vaccines fell. "
    "The veteran watched Formula One and flew on Apollo XI."
)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("The Former Under 21 coach Julen Lopetegui managed Porto.", "supported"),
        ("The Former UNDER-21 coach managed Porto.", "supported"),  # separators and case aside
        ("The Former Under 23 coach Julen Lopetegui managed Porto.", "contradicted"),
        ("A flight MH17 crashed over Ukraine.", "supported"),
        ("A flight MH370 crashed over Ukraine.", "contradicted"),
        ("Sales of SARS-CoV-4 vaccines fell.", "contradicted"),
        ("Sales of COVID-19 vaccines fell.", "not_found"),
        ("Nye flew aboard Boeing 747 to Florida.", "supported"),  # name and number apart
        ("Nye flew aboard Airbus 380 to Florida.", "not_found"),
        ("Sean Hannity 11, was found on Friday.", "not_found"),
        ("The veteran watched Formula 1.", "supported"),  # "Formula One"
        ("The veteran flew on Apollo 11.", "supported"),  # "Apollo XI"
        ("The veteran flew on Apollo 12.", "not_found"),
    ],
)
def test_identifiers_must_occur_in_the_source(claim: str, expected: str) -> None:
    got = [(t, v) for t, v in verdicts(claim, ID_SOURCE) if not t[0].isdigit()]
    assert len(got) == 1 and got[0][1] == expected, got


def test_identifier_verdict_points_at_the_source_name() -> None:
    rep = verify_text(ID_SOURCE, "The Former Under 23 coach managed Porto.")
    (v,) = rep.checks[0].verdicts
    assert v.figure.kind == "identifier" and v.evidence[0].text == "Under 21"
    assert ID_SOURCE[v.evidence[0].start : v.evidence[0].end] == "Under 21"
    assert "Under 21" in v.reason and not rep.verified


# ----------------------------------------------------------------- rounding limits
@pytest.mark.parametrize(
    ("claim", "source", "expected"),
    [
        # rounding never moves a value by more than 5 %
        ("The bank's cap is 1%.", "The bank's cap is 0.505%.", "contradicted"),
        (
            "Binance moved $2 billion to funds.",
            "Binance moved $1.8 billion to funds.",
            "contradicted",
        ),
        (
            "Binance moved about $2 billion to funds.",
            "Binance moved $1.8 billion to funds.",
            "supported",
        ),
        (
            "Binance moved $1.8 billion to funds.",
            "Binance moved $1.84 billion to funds.",
            "supported",
        ),
        ("Yields touched 0.5% on Wednesday.", "Yields touched 0.505% on Wednesday.", "supported"),
        ("Turnout was 45% in the city.", "Turnout was 45.3% in the city.", "supported"),
    ],
)
def test_rounding_is_capped(claim: str, source: str, expected: str) -> None:
    assert verdict(claim, source) == expected


def test_rounding_does_not_blur_two_values_of_one_sentence() -> None:
    src = "Yields touched 0.505% for a second session, breaching the bank's 0.5% cap."
    got = verdicts("Yields touched 0.5% for a second session, breaching the bank's 0.5% cap.", src)
    assert got == [("0.5%", "contradicted"), ("0.5%", "supported")]
    assert verdicts("Yields touched 0.505%, breaching the 0.5% cap.", src) == [
        ("0.505%", "supported"),
        ("0.5%", "supported"),
    ]


def test_a_year_does_not_conflict_with_a_date_without_a_year() -> None:
    src = "Moderna reported on 23 February. For the full year of 2023 it expects sales of $5bn."
    assert verdicts("Moderna guided for sales of $5bn in 2023.", src) == [
        ("$5bn", "supported"),
        ("2023", "supported"),
    ]


# ----------------------------------------------------------------- binding of dates and years
def test_a_date_of_another_event_does_not_support() -> None:
    src = (
        "The death of Freddie Gray set off the protests. "
        "Gray was arrested by police on April 12. "
        "After a week in hospital, he died."
    )
    assert verdict("Can they be held liable for his death on April 12?", src) == "not_found"
    assert verdict("Police arrested Gray on April 12.", src) == "supported"


def test_a_time_qualifier_is_not_context() -> None:
    src = (
        "Hattie had her ileostomy bag fitted in January. "
        "She said: 'My boyfriend and I have been together for two years, meeting early 2013.'"
    )
    assert verdict("Hattie was fitted with an ileostomy bag in early 2013.", src) == "not_found"
    assert verdict("Hattie met her boyfriend in early 2013.", src) == "supported"


def test_the_sentence_stating_the_other_figures_decides() -> None:
    src = (
        "Britain's super-rich are twice as rich as they were in 2009. "
        "She placed 302nd on the Rich List, compared with 285th last year. "
        "Her wealth grew, leaving her at number 302 - down from 285 in 2014. "
        "The lowest placed have £45million more than in 2009."
    )
    assert verdicts("The Queen ranked 302 on the Rich List, slipping from 285 in 2009.", src) == [
        ("302", "supported"),
        ("285", "supported"),
        ("2009", "contradicted"),
    ]
    assert verdicts("The Queen ranked 302 on the Rich List, slipping from 285 in 2014.", src) == [
        ("302", "supported"),
        ("285", "supported"),
        ("2014", "supported"),
    ]


def test_a_yearless_date_is_no_contradiction_of_a_year() -> None:
    src = "Moderna announced its earnings on 23 February. Vaccine sales fell in 2023."
    assert verdict("Moderna announced its earnings in 2023.", src) != "contradicted"


def test_an_unhedged_figure_from_a_hedged_source_names_the_hedge() -> None:
    rep = verify_text(SOURCE, "Officials said 3,000 tanks were moved to the border.")
    (v,) = rep.checks[0].verdicts
    assert v.verdict == "not_found" and v.source_figure is None
    assert "about 3,000" in v.reason and v.evidence[0].text == "about 3,000"


def test_a_unit_price_is_not_a_sum() -> None:
    src = "The work cost about £10,000. I got four rolls of wallpaper for £100 each."
    assert verdict("She spent £100 converting her home.", src) != "supported"
    assert verdict("She bought wallpaper rolls for £100 each.", src) == "supported"


def test_measures_of_different_nouns_do_not_support_each_other() -> None:
    src = (
        "The penthouse measures 11,000 square feet with two levels. "
        "For guests, the suite has 5,000 square foot of private outdoor roof space."
    )
    assert verdict("The 5,000 square foot suite is the largest in LA.", src) != "supported"
    assert verdict("The suite has 5,000 square foot of roof space.", src) == "supported"


def test_a_rate_is_no_contradiction_of_a_sum_of_another_order() -> None:
    src = "The Living Wage campaign would dent the £12billion welfare cuts."
    assert verdict("A wage of £8 an hour would dent the welfare cuts.", src) == "not_found"
    # the same order of magnitude still conflicts: "$24,121 per year" / "$30,000"
    src2 = "Fees at the college reportedly top $30,000."
    assert verdict("Fees at the college topped $24,121 per year.", src2) == "contradicted"


def test_a_partitive_counts_its_own_noun() -> None:
    src = (
        "The nutritionist compiled a list of the most nutritious breads. "
        "'The average adult will need just 2-4 slices of bread each day,' she said."
    )
    assert verdict("She has revealed her top 2-4 breads.", src) != "supported"
    assert verdict("Adults need just 2-4 slices of bread a day.", src) == "supported"


PERIODS = "Revenue rose 5% in the third quarter of 2024. In fiscal 2023 profit fell. Q4 sales rose."


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("Revenue rose 5% in Q3 2024.", "supported"),
        ("Revenue rose 5% in Q2 2024.", "contradicted"),
        ("Sales rose in the fourth quarter.", "supported"),
        ("In FY2023 profit fell.", "supported"),
        ("In FY23 profit fell.", "supported"),
        ("In FY2022 profit fell.", "not_found"),
    ],
)
def test_reporting_periods_match_however_written(claim: str, expected: str) -> None:
    got = [v for t, v in verdicts(claim, PERIODS) if t not in ("5%", "2024")]
    assert got == [expected]


def test_a_counted_noun_says_nothing_about_a_duration() -> None:
    src = (
        "The protest comes on the eve of the one-year anniversary of the invasion. "
        "One Londoner who drove through the protest shared a photo."
    )
    assert verdict("Activists marked the one-month anniversary of the invasion.", src) != (
        "supported"
    )
    # the other way round is a paraphrase: one race a year
    src2 = "He has attended every race for the past 76 years."
    assert verdict("He has watched the past 76 races.", src2) == "supported"
