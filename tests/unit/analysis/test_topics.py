"""Topic classifier: one clear article per IPTC topic, figures of speech, score shape.

Every sentence here is written for these tests (no corpus text).
"""

from __future__ import annotations

import pytest

from newswatch.analysis.topics import TopicClassifier
from newswatch.domain.model import Article, Topic

# (expected primary topic, title, body): one clear article for each of the 17 topics.
CLEAR_ARTICLES = [
    (
        Topic.ARTS_CULTURE_ENTERTAINMENT,
        "Director's new film wins top prize at festival",
        "The director's latest film took the main award at the festival on Saturday, beating a strong "
        "field of dramas. Its lead actress thanked the orchestra that recorded the soundtrack, and "
        "critics praised the screenplay. The movie opens in cinemas next month, and a gallery exhibition "
        "of costumes from the production tours museums next year.",
    ),
    (
        Topic.CRIME,
        "Man jailed for bank card fraud",
        "A man was jailed for six years on Friday after a jury found him guilty of fraud and theft from "
        "elderly victims. Police arrested him last spring after detectives traced stolen cards. The judge"
        " told the court the crimes were cruel, and prosecutors said a second suspect will stand trial in"
        " June.",
    ),
    (
        Topic.DISASTER,
        "Earthquake flattens villages, rescuers search rubble",
        "A powerful earthquake struck the mountain region before dawn, collapsing homes and burying "
        "families under rubble. Rescuers worked through the night to pull survivors from the debris as "
        "aftershocks shook the valley. The death toll rose to 40, with dozens missing, and emergency "
        "shelters were set up for thousands evacuated from damaged towns.",
    ),
    (
        Topic.ECONOMY,
        "Shares fall as inflation data unsettles investors",
        "Stock markets fell on Tuesday after inflation figures came in higher than expected, raising bets"
        " that the central bank will lift interest rates again. Bank shares led the decline while the "
        "dollar strengthened. Analysts said company profits could come under pressure in the next quarter"
        " as consumers cut spending.",
    ),
    (
        Topic.EDUCATION,
        "Teachers warn over exam changes in secondary schools",
        "Headteachers have warned that changes to the exam timetable will leave pupils with less time to "
        "revise. The new curriculum adds two papers for students in their final year, and universities "
        "say they will review how they use the grades. Teachers' leaders want the education department to"
        " delay the reforms for a year so classrooms can prepare.",
    ),
    (
        Topic.ENVIRONMENT,
        "Coral reefs bleach as ocean heat climbs, scientists say",
        "Rising carbon emissions are warming the oceans and bleaching coral reefs faster than expected. "
        "Conservation groups warned that several endangered species could face extinction as their "
        "habitat shrinks. They urged governments to cut greenhouse gases, protect forests and speed up "
        "the switch to renewable energy.",
    ),
    (
        Topic.HEALTH,
        "Hospital waiting lists grow as flu cases rise",
        "Hospitals reported a sharp rise in flu patients this week, with doctors and nurses stretched "
        "across emergency wards. Health officials urged older people to get the vaccine, saying the "
        "infection spreads fastest in care homes. Surgeons said planned operations were being postponed, "
        "lengthening waiting lists for treatment.",
    ),
    (
        Topic.HUMAN_INTEREST,
        "Grandmother celebrates 105th birthday with her dog",
        "A grandmother in a small coastal town celebrated her 105th birthday on Sunday with a cake, a "
        "street party and her beloved dog. Neighbours and strangers sent hundreds of cards after her "
        "granddaughter shared the story, and the town's oldest resident said the secret was kindness and "
        "daily walks.",
    ),
    (
        Topic.LABOUR,
        "Nurses' union announces walkout over pay",
        "The union representing hospital staff announced a two-day walkout next month after talks with "
        "employers over wages broke down. Workers say pay has fallen behind rising costs and that "
        "overtime has become routine. Picket lines will be set up at sites across the region, and the "
        "union said further industrial action was possible if the dispute drags on.",
    ),
    (
        Topic.LIFESTYLE,
        "Ten quiet coastal towns for a slow summer holiday",
        "Travel writers picked their favourite coastal towns for a relaxed holiday, from harbour "
        "restaurants serving local cuisine to small hotels with gardens running down to the beach. "
        "Visitors can hike the cliff paths, try the regional wine, or join a cooking class run by a local"
        " chef.",
    ),
    (
        Topic.POLITICS,
        "Prime minister faces vote of confidence after election losses",
        "The prime minister will face a vote of confidence in parliament next week after the governing "
        "party lost seats in regional elections. Opposition leaders called for a snap general election, "
        "while cabinet ministers defended the government's record. Several lawmakers said they would back"
        " a rival candidate for the party leadership.",
    ),
    (
        Topic.RELIGION,
        "Pilgrims gather as pope leads Easter prayers",
        "Tens of thousands of pilgrims filled the square as the pope led Easter prayers and delivered a "
        "sermon on peace. Bishops and priests from around the world attended the service at the "
        "cathedral. Church leaders said worship attendance had recovered, and a new mosque and synagogue "
        "joined an interfaith council in the city.",
    ),
    (
        Topic.SCIENCE_TECHNOLOGY,
        "New chip promises faster smartphones and cheaper laptops",
        "The company unveiled a processor that it says doubles the speed of smartphones while using less "
        "battery. Researchers at the firm's laboratory said the chip relies on a new software design for "
        "artificial intelligence tasks. Computer makers expect devices using it to reach shops by the end"
        " of the year.",
    ),
    (
        Topic.SOCIETY,
        "Homelessness rises as housing costs outpace benefits",
        "Charities say homelessness has risen for a third year as rents outpace welfare benefits for "
        "families on low incomes. Volunteers at community shelters report more children and elderly "
        "people seeking help. Campaigners for disabled people and refugees called for action on poverty "
        "and inequality in the city.",
    ),
    (
        Topic.SPORT,
        "Late goal sends champions into cup final",
        "A late goal from the young striker sent the champions into the cup final after a tense semi-"
        "final on Wednesday. The goalkeeper made three fine saves before the break, and the coach praised"
        " his squad for their fitness over a long season. The team will face their league rivals at the "
        "national stadium next month.",
    ),
    (
        Topic.CONFLICT,
        "Troops push forward as artillery pounds front line",
        "Government troops advanced along the front line on Monday after heavy shelling of enemy "
        "positions, the army said. Drones and missiles struck ammunition depots behind the lines, and "
        "soldiers reported fierce clashes near two villages. Military officials said dozens of fighters "
        "were killed and several tanks destroyed in the offensive.",
    ),
    (
        Topic.WEATHER,
        "Heavy snow and icy winds to sweep the north",
        "Forecasters have warned of heavy snow and icy winds across the north this weekend, with "
        "temperatures dropping to minus ten degrees overnight. Meteorologists said gusts could reach 70 "
        "mph on high ground, followed by freezing fog and sleet. Milder weather with sunshine and showers"
        " should return by Tuesday.",
    ),
]


@pytest.fixture(scope="module")
def classifier(topic_classifier: TopicClassifier) -> TopicClassifier:
    return topic_classifier


def _classify(classifier: TopicClassifier, title: str | None, body: str) -> list[tuple[Topic, float]]:
    return [(s.topic, s.score) for s in classifier.classify(Article(id="t", title=title, body=body))]


def test_cases_cover_all_17_topics() -> None:
    assert {case[0] for case in CLEAR_ARTICLES} == set(Topic)


@pytest.mark.parametrize(("topic", "title", "body"), CLEAR_ARTICLES, ids=[c[0].value for c in CLEAR_ARTICLES])
def test_clear_article_gets_its_primary_topic(
    classifier: TopicClassifier, topic: Topic, title: str, body: str
) -> None:
    assert _classify(classifier, title, body)[0][0] is topic


@pytest.mark.parametrize(("topic", "title", "body"), CLEAR_ARTICLES, ids=[c[0].value for c in CLEAR_ARTICLES])
def test_scores_are_sorted_bounded_and_unique(
    classifier: TopicClassifier, topic: Topic, title: str, body: str
) -> None:
    scores = _classify(classifier, title, body)
    values = [s for _, s in scores]
    assert values == sorted(values, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in values)
    assert len({t for t, _ in scores}) == len(scores)


# (case, title, body, topic that must not appear at all): similes and metaphors make no topic.
FIGURES_OF_SPEECH = [
    (
        "fleeing like Olympic sprinters is no sport",
        "Defenders abandon town as attackers close in",
        "Soldiers fled their positions like Olympic sprinters as the attacking troops advanced, leaving tanks"
        " and ammunition behind. Shelling continued through the night, and the army said the town was now"
        " under its control after fierce fighting with enemy forces.",
        Topic.SPORT,
    ),
    (
        "as fast as a football team is no sport",
        "Rebels retreat from hills after night of shelling",
        "The rebels pulled back as quickly as a football team chasing a late goal, the army said, after"
        " artillery and drones hit their trenches. Soldiers reported clashes near the ridge and several"
        " fighters were killed.",
        Topic.SPORT,
    ),
    (
        "a stock market crash simile is no economy",
        "Striker's form collapses in second half of season",
        "His scoring record fell like shares in a market crash after the winter break, the coach admitted."
        " The striker has not found the net in nine league matches, and the club's fans want him dropped"
        " before the cup final.",
        Topic.ECONOMY,
    ),
    (
        "a political earthquake is no disaster",
        "Election result is a political earthquake",
        "The opposition won a landslide in Sunday's election, a political earthquake that ended twenty"
        " years of one-party rule. Voters turned out in record numbers and the outgoing prime minister"
        " conceded defeat before midnight.",
        Topic.DISASTER,
    ),
    (
        "a trade war is no war",
        "Trade war hits exporters",
        "The trade war between the two largest economies deepened as new tariffs on steel and electronics"
        " took effect. Exporters warned of lower profits and shares fell, while the central bank said"
        " growth would slow.",
        Topic.CONFLICT,
    ),
    (
        "a storm of criticism is no weather",
        "Chancellor faces storm of criticism over budget",
        "The chancellor faced a storm of criticism from MPs after the budget raised fuel duty. Opposition"
        " leaders said the tax rises would hurt families, and several backbenchers threatened to vote"
        " against the bill in parliament.",
        Topic.WEATHER,
    ),
    (
        "a midfield battle is no conflict",
        "United's defence crumbles in midfield battle",
        "The visitors won the midfield battle and their strikers tore through United's defence, scoring"
        " three goals in twenty minutes. The manager said his players had been outfought, and the club"
        " now sits tenth in the league.",
        Topic.CONFLICT,
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "absent"), [c[1:] for c in FIGURES_OF_SPEECH], ids=[c[0] for c in FIGURES_OF_SPEECH]
)
def test_figure_of_speech_makes_no_topic(
    classifier: TopicClassifier, title: str, body: str, absent: Topic
) -> None:
    assert absent not in {t for t, _ in _classify(classifier, title, body)}


# (case, title, body, expected primary): one stray topic word does not outweigh the story.
STRAY_WORDS = [
    (
        "one weather word in a match report",
        "Home side win in the rain",
        "The home side won two-nil with goals in each half, and the coach praised his defenders. The"
        " league leaders now sit four points clear with six matches of the season left.",
        Topic.SPORT,
    ),
    (
        "one church in a war report",
        "Shelling hits town centre",
        "Artillery shelled the town centre overnight, damaging a church and several homes, and troops"
        " traded fire with enemy soldiers on the outskirts, the military said.",
        Topic.CONFLICT,
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "topic"), [c[1:] for c in STRAY_WORDS], ids=[c[0] for c in STRAY_WORDS]
)
def test_stray_topic_word_does_not_take_primary(
    classifier: TopicClassifier, title: str, body: str, topic: Topic
) -> None:
    assert _classify(classifier, title, body)[0][0] is topic


def test_text_without_any_known_word_gets_no_topic(classifier: TopicClassifier) -> None:
    assert _classify(classifier, None, "Zzxq vvbnm qqpw.") == []


def test_classification_is_pure(classifier: TopicClassifier) -> None:
    article = Article(id="p", title=CLEAR_ARTICLES[0][1], body=CLEAR_ARTICLES[0][2])
    assert classifier.classify(article) == classifier.classify(article)


# (case, title, body with a simile, the same body with the compared-to phrase cut out)
SIMILE_PAIRS = [
    (
        "like Olympic sprinters",
        "Soldiers flee the town",
        "The soldiers ran like Olympic sprinters chasing a gold medal at the championship final.",
        "The soldiers ran like.",
    ),
    (
        "as fast as a football team",
        "Unit leaves the village",
        "The unit pulled out as fast as a football team on a counter-attack in the cup final, leaving tanks.",
        "The unit pulled out as fast as, leaving tanks.",
    ),
]


@pytest.mark.parametrize(
    ("title", "with_simile", "without"), [c[1:] for c in SIMILE_PAIRS], ids=[c[0] for c in SIMILE_PAIRS]
)
def test_simile_counts_as_if_absent(
    classifier: TopicClassifier, title: str, with_simile: str, without: str
) -> None:
    assert _classify(classifier, title, with_simile) == _classify(classifier, title, without)


def test_short_report_dominated_by_a_sports_simile_is_not_sport(classifier: TopicClassifier) -> None:
    body = SIMILE_PAIRS[0][2]
    assert Topic.SPORT not in {t for t, _ in _classify(classifier, "Troops flee the front", body)}


# (expected primary topic, title, body): short wire items of topics the dev data lacks, where
# only the seed lexicons can tell; a few distinct topic words must be enough.
SHORT_ITEMS = [
    (
        Topic.EDUCATION,
        "Universities raise tuition fees again",
        "Students will pay more from next autumn after the country's universities agreed a rise in "
        "tuition fees, lecturers' unions said.",
    ),
    (
        Topic.EDUCATION,
        "School inspectors criticise maths teaching",
        "Inspectors found pupils in a third of primary schools were taught maths by teachers without "
        "specialist training.",
    ),
    (
        Topic.HEALTH,
        "New drug slows Alzheimer's disease in trial",
        "A clinical trial found the drug slowed memory loss in patients with early Alzheimer's disease, "
        "doctors reported.",
    ),
    (
        Topic.WEATHER,
        "Heatwave to bring 40C temperatures",
        "Forecasters expect temperatures to top 40C across the south this week, with little rain and hot "
        "winds.",
    ),
    (
        Topic.WEATHER,
        "Snow closes roads in the Alps",
        "Heavy snowfall and icy conditions closed mountain roads, meteorologists said, with more snow "
        "forecast overnight.",
    ),
    (
        Topic.RELIGION,
        "Pope names new cardinals",
        "The pope named 21 new cardinals from churches in Asia and Africa at a ceremony in the Vatican.",
    ),
    (
        Topic.RELIGION,
        "Muslims mark start of Ramadan",
        "Millions of Muslims began fasting for Ramadan, with mosques holding evening prayers.",
    ),
    (
        Topic.LABOUR,
        "Rail workers strike over pay",
        "Train drivers walked out on Monday in a dispute over wages and working hours, their union said.",
    ),
    (
        Topic.LABOUR,
        "Carmaker to cut 3,000 jobs",
        "The carmaker will cut 3,000 jobs, union leaders said, warning of strikes if the layoffs go ahead.",
    ),
    (
        Topic.ENVIRONMENT,
        "Plastic pollution chokes rivers",
        "Conservation groups found plastic waste in every river they tested, harming wildlife and habitat.",
    ),
    (
        Topic.DISASTER,
        "Ferry capsizes, dozens missing",
        "A ferry capsized in rough seas, leaving dozens missing; rescuers pulled 40 survivors from the "
        "water.",
    ),
    (
        Topic.DISASTER,
        "Wildfire forces thousands to evacuate",
        "A wildfire fanned by strong winds forced thousands to evacuate as firefighters battled the blaze.",
    ),
    (
        Topic.CRIME,
        "Police arrest suspect in jewellery robbery",
        "Detectives arrested a man suspected of a robbery at a jewellery store, police said; he will "
        "appear in court.",
    ),
    (
        Topic.CRIME,
        "Former mayor jailed for bribery",
        "A court sentenced the former mayor to eight years in prison for taking bribes from building firms.",
    ),
    (
        Topic.HUMAN_INTEREST,
        "Dog walks 200 miles home",
        "A dog that went missing on a family holiday turned up at its home 200 miles away, its delighted "
        "owners said.",
    ),
    (
        Topic.SOCIETY,
        "Census shows ageing population",
        "The census shows the population is ageing fast, with more elderly people living alone and fewer "
        "families with children.",
    ),
]


@pytest.mark.parametrize(("topic", "title", "body"), SHORT_ITEMS, ids=[c[1] for c in SHORT_ITEMS])
def test_short_item_of_a_lexicon_only_topic(
    classifier: TopicClassifier, topic: Topic, title: str, body: str
) -> None:
    assert _classify(classifier, title, body)[0][0] is topic
