"""Small stop-word lists per language for keyword research (our own lists: the most
frequent function words of each language). Unknown languages fall back to English."""

from __future__ import annotations

_EN = """a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves get got also may
might must shall us via vs per etc new best top how what home page"""
_DE = """aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
anderes auch auf aus bei bin bis bist da damit dann das dass dasselbe dazu dein deine dem den
denn der des dich die dies diese dieselbe diesem diesen dieser dieses dir doch dort du durch
ein eine einem einen einer eines er es etwas euch euer für hab habe haben hat hatte hier hin
hinter ich ihm ihn ihr ihre im in ist jede jedem jeden jeder jedes jetzt kann kein keine mein
meine mich mir mit muss nach nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie
sind so solche soll sondern um und uns unser unter viel vom von vor war waren was weg weil
welche wenn wer werde werden wie wieder will wir wird wo wollen zu zum zur über"""
_FR = """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais
me même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes
toi ton tu un une vos votre vous c d j l à m n s t y été être avoir est sont plus comme tout"""
_ES = """a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
durante e el ella ellas ellos en entre era es esa ese eso esta estas este esto estos fue ha hay
la las le les lo los más me mi mis mucho muy nada ni no nos o os otra otro para pero poco por
porque que quien se sea ser si sin sobre su sus también te tu tus un una uno unos y ya"""

STOP_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in
    {"en": _EN, "de": _DE, "fr": _FR, "es": _ES}.items()
}


def stop_words(language: str) -> frozenset[str]:
    """The list for a language tag ("de", "de-AT"); English when we have none."""
    return STOP_WORDS.get((language or "en").split("-")[0].lower(), STOP_WORDS["en"])
