"""The phrasings the parser reads, in order: THE one file to edit to add a phrasing.

Each rule is a pattern over the folded clause (lower case, no accents) and the handler of
:mod:`storycore.tools.feedback.handlers` that turns a match into modifications. The first
rule whose pattern matches the whole clause and whose handler returns modifications wins.
"""

from __future__ import annotations

from storycore.tools.domain.modifications import _TIME_WORDS, _WEATHER_WORDS, Lock, Unlock
from storycore.tools.feedback.age import REQUESTED_AGE
from storycore.tools.feedback.handlers import (
    _element_age,
    _element_description,
    _element_has,
    _element_update,
    _explicit_field,
    _insert,
    _local_model,
    _location_light,
    _location_time,
    _lock,
    _move,
    _regenerate,
    _relative_retime,
    _remove,
    _retime,
    _set_model,
    _shot_value,
    _swap,
    _weather_degree,
    _without,
)
from storycore.tools.feedback.patterns import (
    _ASPECT,
    _ATTR,
    _DURATION,
    _FIELD,
    _alternatives,
    _shots,
)
from storycore.tools.feedback.reader import _Rule, _rule
from storycore.tools.feedback.spec_rules import SPEC_RULES

_S = _shots("s")
_NUM = (
    r"(?P<amount>\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|half a|"
    r"une|un|deux|trois|quatre|cinq|dix|une demi)"
)
_UNIT = r"\s*-?\s*(?P<unit>seconds?|secondes?|secs?|s|frames?|images?)(?![a-z])"
_LOCAL = (
    r"(?:a\s+|an\s+|un\s+|the\s+|le\s+)?(?:local|locale|offline|on-device|open[- ]source)\s+"
    r"(?:video\s+)?(?:model|modele)|(?:un\s+|le\s+)?modele\s+(?:local|en local|hors ligne)"
)
_INSTEAD_OF = (
    r"(?:instead of|rather than|not|au lieu du|au lieu des|au lieu de|plutot que|et non|pas)"
)
_WEATHER = _alternatives(list(_WEATHER_WORDS))
_WHEN = _alternatives([*_TIME_WORDS, *_WEATHER_WORDS])
_DEGREE = r"(?:(?:a\s+)?(?:bit|little|lot|touch)\s+|much\s+|slightly\s+|(?:ten|\d+)\s+years\s+)?"
_FR_DEGREE = r"(?:un peu\s+|beaucoup\s+|bien\s+|nettement\s+)?"
_RULES: tuple[_Rule, ...] = (
    # the whole project's length, frame rate, aspect ratio, resolution (spec_rules.py)
    *SPEC_RULES,
    # lock / unlock
    _rule(
        r"(?:unlock|unfreeze|deverrouille[rz]?|debloque[rz]?|defige[rz]?)\s+(?P<target>.+)",
        _lock(Unlock),
    ),
    _rule(r"(?:lock|freeze|verrouille[rz]?|bloque[rz]?|fige[rz]?)\s+(?P<target>.+)", _lock(Lock)),
    # regenerate without narration / dialogue / music / effects
    _rule(
        r"(?:regenerate|redo|re-?render|render|generate|remake|do|make|try)\s*(?:"
        + _S
        + r"|(?P<it>it|them|everything|all(?: shots)?|the whole thing|that|this))?\s*"
        r"(?:again\s+)?(?:without|with no|minus|but without)\s+(?:the\s+|any\s+)?(?P<aspect>"
        + _ASPECT
        + r")(?:\s+(?:on|for|in)\s+"
        + _shots("t")
        + r")?",
        _without,
    ),
    _rule(
        r"(?:remove|drop|delete|cut|mute|lose|get rid of|take out|strip|no)\s+(?:the\s+|all\s+"
        r"(?:the\s+)?|any\s+)?(?P<aspect>"
        + _ASPECT
        + r")(?:\s+(?:on|from|in|of|for)\s+"
        + _S
        + r")?",
        _without,
    ),
    _rule(
        r"(?:without|with no|sans)\s+(?:the\s+|la\s+|le\s+|les\s+)?(?P<aspect>" + _ASPECT + r")",
        _without,
    ),
    _rule(
        r"(?P<fr>regenere[rz]?|refai[st]|refaire|relance[rz]?|recommence[rz]?)\s*(?:"
        + _S
        + r"|(?P<it>-?(?:le|les|la|tout)))?\s*sans\s+(?:la\s+|le\s+|les\s+|l')?(?P<aspect>"
        + _ASPECT
        + r")(?:\s+(?:sur|pour|du|dans)\s+"
        + _shots("t")
        + r")?",
        _without,
    ),
    _rule(
        r"(?:supprime[rz]?|enleve[rz]?|retire[rz]?|coupe[rz]?)\s+(?:la|le|les|l')\s*(?P<aspect>"
        + _ASPECT
        + r")(?:\s+(?:du|des|sur|dans|de)\s+"
        + _S
        + r")?",
        _without,
    ),
    # regenerate as it is
    _rule(
        r"(?:redo|regenerate|re-?render|re-?generate|remake|re-?do|retry|reshoot|render|"
        r"generate|refai[st]|refaire|regenere[rz]?|relance[rz]?|recommence[rz]?)\s*-?\s*(?:"
        + _S
        + r"|it|them|that one|this one|that|this|le|les|la)(?:\s+again|\s+encore)?",
        _regenerate,
    ),
    _rule(
        _S + r"\s+(?:again|needs to be redone|should be redone|must be redone|has to be redone|"
        r"needs redoing|a refaire|est a refaire|doit etre refait|doit etre regenere)",
        _regenerate,
    ),
    # remove
    _rule(
        r"(?:remove|delete|drop|cut|kill|lose|get rid of|take out|scrap|skip|supprime[rz]?|"
        r"enleve[rz]?|retire[rz]?|coupe[rz]?|vire[rz]?)\s+" + _S,
        _remove,
    ),
    _rule(_S + r"\s+(?:should|must|can|has to)\s+(?:go|be removed|be deleted|be cut)", _remove),
    # swap two shots
    _rule(
        r"(?:swap|switch|exchange|invert|trade|echange[rz]?|inverse[rz]?|intervertis|"
        r"intervertir|intervertissez|permute[rz]?)\s+"
        + _shots("a")
        + r"(?:\s+(?:with|avec|and|et)\s+"
        + _shots("b")
        + r")?",
        _swap,
    ),
    # move
    _rule(
        r"(?:move|put|place|deplace[rz]?|mets|mettre|mettez|place[rz]?|bouge[rz]?)\s+"
        + _shots("a")
        + r"\s+(?:(?:right|just|juste)\s+)?(?P<where>after|before|behind|ahead of|in front of|"
        r"apres|avant|derriere)\s+" + _shots("b"),
        _move,
    ),
    _rule(
        r"(?:move|put|place|deplace[rz]?|mets|mettre|mettez|place[rz]?|bouge[rz]?)\s+"
        + _shots("a")
        + r"\s+(?:to the|at the|a la|au|en)\s*(?P<end>end|start|beginning|fin|debut|premier|"
        r"dernier|la fin)",
        _move,
    ),
    # insert
    _rule(
        r"(?:add|insert|put|create|ajoute[rz]?|rajoute[rz]?|insere[rz]?|cree[rz]?)\s+"
        r"(?P<head>(?:(?:a|an|one|another|new|un|une|autre|nouveau)\s+)*[^,]*?)\s*"
        r"(?:(?:of|showing|with|on|:)\s+|(?P<conn>du|de la|de l'|des|d'|de|sur|montrant)\s*)"
        r"(?P<desc>.+?)\s+(?P<where>after|before|right after|just after|apres|avant|juste apres)"
        r"\s+" + _shots("b"),
        _insert,
    ),
    _rule(
        r"(?:add|insert|put|create|ajoute[rz]?|rajoute[rz]?|insere[rz]?)\s+"
        r"(?P<head>(?:(?:a|an|one|another|new|un|une|autre|nouveau)\s+)*[^,]*?)\s*"
        r"(?:(?:of|showing|with|on|:)\s+|(?P<conn>du|de la|de l'|des|d'|de|sur|montrant)\s*)"
        r"(?P<desc>.+?)\s+(?:at the|a la|au|en)\s*(?P<end>end|start|beginning|fin|debut)",
        _insert,
    ),
    _rule(
        r"(?:add|insert|ajoute[rz]?|rajoute[rz]?|insere[rz]?)\s+"
        r"(?P<head>(?:(?:a|an|one|another|new|un|une|autre|nouveau)\s+)*[^,]*?)\s+"
        r"(?P<where>after|before|apres|avant)\s+"
        + _shots("b")
        + r"\s*(?:(?:of|showing|with|:)\s+|(?P<conn>du|de la|de l'|des|d'|de|montrant)\s*)"
        r"(?P<desc>.+)",
        _insert,
    ),
    # longer / shorter
    _rule(
        r"(?:make|have|get)\s+"
        + _S
        + r"\s+(?:"
        + _NUM
        + _UNIT
        + r"\s+)?(?:a bit\s+|a little\s+|slightly\s+|much\s+)?(?P<dir>longer|shorter)",
        _relative_retime,
    ),
    _rule(
        r"(?P<dir>lengthen|extend|shorten|trim)\s+" + _S + r"(?:\s+by\s+" + _NUM + _UNIT + r")?",
        _relative_retime,
    ),
    _rule(
        _S
        + r"\s+(?:should|must|needs to|has to|could|can)?\s*(?:be|last|run)\s+(?:"
        + _NUM
        + _UNIT
        + r"\s+)?(?:a bit\s+|a little\s+|slightly\s+|much\s+)?(?P<dir>longer|shorter)",
        _relative_retime,
    ),
    _rule(
        r"(?P<dir>rallonge[rz]?|allonge[rz]?|prolonge[rz]?|raccourcis|raccourcir|raccourcissez|"
        r"raccourcit)\s+" + _S + r"(?:\s+(?:de|d')\s*" + _NUM + _UNIT + r")?",
        _relative_retime,
    ),
    _rule(
        r"(?:rends|rendre|fais|faire)\s+"
        + _S
        + r"\s+(?P<dir>plus long|plus court)(?:\s+(?:de|d')\s*"
        + _NUM
        + _UNIT
        + r")?",
        _relative_retime,
    ),
    # retime
    _rule(
        _S + r"\s+(?:should|must|needs to|has to|will|to|shall|can)?\s*(?:last|be|run|take|runs|"
        r"lasts|takes)\s+(?:for\s+|about\s+|exactly\s+|only\s+|just\s+)?"
        + _DURATION
        + r"(?:\s+long)?",
        _retime,
    ),
    _rule(
        r"(?:make|set|change|retime|shorten|lengthen|extend|trim|cut|fais durer|raccourcis|"
        r"raccourcir|rallonge[rz]?|allonge[rz]?|mets|passe[rz]?|regle[rz]?|ramene[rz]?)\s+"
        + _S
        + r"\s+(?:to\s+|at\s+|down to\s+|up to\s+|a\s+|en\s+|sur\s+)?"
        + _DURATION
        + r"(?:\s+long)?",
        _retime,
    ),
    _rule(
        r"(?:the\s+)?(?:duration|length|la duree|duree|la longueur|longueur)\s+(?:of|du|de)\s+"
        + _S
        + r"\s*(?::|=|to|should be|must be|is|doit etre|est|a|sur)?\s*"
        + _DURATION,
        _retime,
    ),
    _rule(
        _S + r"\s+(?:doit|devrait|va|dois)?\s*(?:durer|dure|faire|fait)\s+(?:seulement\s+|"
        r"environ\s+)?" + _DURATION,
        _retime,
    ),
    _rule(_S + r"\s*(?::|=|->|to|en)?\s*" + _DURATION, _retime),
    # element appearance
    _rule(
        r"(?P<name>.+?)\s*'s?\s+(?P<attr>" + _ATTR + r")\s+(?:should|must|needs to|has to|"
        r"to|shall|will|ought to)?\s*(?:be|become|look|is|are|be made|=|:|->)\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<name>.+?)\s*'s?\s+(?P<attr>" + _ATTR + r")\s*(?::|=|->)\s*(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?:make|turn|change|set|dye|colou?r|switch)\s+(?P<name>.+?)\s*'s?\s+(?P<attr>"
        + _ATTR
        + r")\s+(?:to\s+|into\s+|as\s+)?(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?:the\s+)?(?P<attr>" + _ATTR + r")\s+of\s+(?P<name>.+?)\s+(?:should|must|needs to)?"
        r"\s*(?:be|become|is|are|=|:)\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?:give|gives)\s+(?P<name>.+?)\s+(?:a\s+|an\s+|some\s+)?(?P<val>.+?)\s+(?P<attr>"
        + _ATTR
        + r")",
        _element_update,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?:should|must|needs to|has to|will|now)?\s*(?:have|has|has got|get|"
        r"gets|wear|wears|is wearing|grows|grow)\s+(?:a\s+|an\s+|some\s+|the\s+)?(?P<attr>"
        + _ATTR
        + r")",
        _element_has,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?P<fr>porte|a|aura|doit avoir|doit porter|devrait avoir|devrait "
        r"porter|portera|se laisse pousser)\s+(?:un|une|des|de la|du|la|le|les|l')?\s*(?P<attr>"
        + _ATTR
        + r")",
        _element_has,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?:should|must|needs to|has to|will)?\s*(?:have|has|get|gets|wear|"
        r"wears|sport|sports)\s+(?:a\s+|an\s+|some\s+)?(?P<val>.+?)\s+(?P<attr>" + _ATTR + r")",
        _element_update,
    ),
    _rule(
        r"(?P<fr>(?:les?|la|l')\s*)(?P<attr>" + _ATTR + r")\s+(?:de|d')\s*(?P<name>.+?)\s+"
        r"(?:doivent|doit|devraient|devrait|vont|va)?\s*(?:etre|sont|est|seront|sera|"
        r"deviennent|devient|devenir|:|=)\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<fr>change[rz]?|mets|mettre|rends|rendre|passe[rz]?|teins|teindre)\s+"
        r"(?:les?|la|l')\s*(?P<attr>" + _ATTR + r")\s+(?:de|d')\s*(?P<name>.+?)\s+"
        r"(?:en|a)\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?P<fr>doit avoir|devrait avoir|a|aura|porte|doit porter|devrait "
        r"porter|portera)\s+(?:les?|la|l'|un|une|des|de)\s*(?P<attr>" + _ATTR + r")\s+"
        r"(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<fr>donne[rz]?)\s+a\s+(?P<name>.+?)\s+(?:des|un|une|les?|la)\s+(?P<attr>"
        + _ATTR
        + r")\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<name>her|his|their|its)\s+(?P<attr>" + _ATTR + r")\s+(?:should|must)?\s*"
        r"(?:be\s+|is\s+|are\s+|:\s*|=\s*)?(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<name>son|sa|ses)(?P<fr>\s+)(?P<attr>" + _ATTR + r")\s+(?:(?:doivent etre|"
        r"doit etre|sont|est|:)\s+)?(?P<val>.+)",
        _element_update,
    ),
    # age
    _rule(
        r"(?:make|have|get|let)\s+(?P<name>.+?)\s+(?:look|appear|seem|be)?\s*"
        + _DEGREE
        + r"(?P<dir>older|younger)",
        _element_age,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?:should|must|needs to|has to|could|can|ought to|will)?\s*(?:look|be|"
        r"appear|seem|looks|is|seems)\s+(?:to\s+be\s+)?" + _DEGREE + r"(?P<dir>older|younger)",
        _element_age,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?:is|looks|seems|est|parait|semble|a l'air|fait)\s+(?:way\s+|much\s+|"
        r"a bit\s+|un peu\s+|beaucoup\s+)?(?P<dir>too young|too old|trop jeune|trop (?:vieux|"
        r"vieille|agee?))",
        _element_age,
    ),
    _rule(r"(?P<dir>age)\s+(?P<name>.+?)\s+(?P<way>up|down)", _element_age),
    _rule(r"(?P<dir>de-?age)\s+(?P<name>.+)", _element_age),
    _rule(
        r"(?:make|turn|have)\s+(?P<name>.+?)\s+(?:look\s+|into\s+)?(?:like\s+)?" + REQUESTED_AGE,
        _element_age,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?:should|must|needs to|has to|could|will)?\s*(?:be|look|appear|"
        r"seem|is|looks)\s+(?:like\s+|to\s+be\s+)?" + REQUESTED_AGE,
        _element_age,
    ),
    _rule(
        r"(?:set|change)\s+(?P<name>.+?)\s*'s?\s+age\s+(?:to|:|=)\s*" + REQUESTED_AGE,
        _element_age,
    ),
    _rule(
        r"(?P<name>.+?)\s*'s?\s+age\s*(?:should be|must be|is|:|=|->)\s*" + REQUESTED_AGE,
        _element_age,
    ),
    _rule(
        r"(?:rends|rendre|rendez|fais|faire|faites)\s+(?P<name>.+?)\s+"
        + _FR_DEGREE
        + r"(?P<dir>plus (?:jeune|agee?|vieux|vieille|vieil))s?",
        _element_age,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?:doit|devrait|doivent|devraient|va|vont)?\s*(?:paraitre|para[iî]t|"
        r"sembler|semble|avoir l'air|a l'air|faire|fait|etre|est)\s+"
        + _FR_DEGREE
        + r"(?P<dir>plus (?:jeune|agee?|vieux|vieille|vieil))s?",
        _element_age,
    ),
    _rule(
        r"(?P<dir>vieillis|vieillir|vieillissez|rajeunis|rajeunir|rajeunissez)\s+(?P<name>.+?)"
        r"(?:\s+(?:un peu|de dix ans|d'une dizaine d'annees))?",
        _element_age,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?:doit avoir|devrait avoir|a|aura|doit faire|fait)\s+" + REQUESTED_AGE,
        _element_age,
    ),
    _rule(r"(?:fais|faites|faire)\s+(?:de|d')\s*(?P<name>.+?)\s+" + REQUESTED_AGE, _element_age),
    _rule(
        r"(?P<name>.+?)\s+(?:doit etre|devrait etre|doit paraitre|sera|est)\s+" + REQUESTED_AGE,
        _element_age,
    ),
    # the look of a place
    _rule(
        r"(?:make|turn|get|have)\s+(?:the\s+)?(?P<w>" + _WEATHER + r")\s+(?P<how>heavier|harder|"
        r"stronger|thicker|denser|lighter|softer|weaker|thinner|gentler)"
        r"(?:\s+(?:in|at|on|over)\s+(?P<place>.+))?",
        _weather_degree,
    ),
    _rule(
        r"(?P<how>more|less|heavier|lighter|stronger|thicker)\s+(?P<w>" + _WEATHER + r")"
        r"(?:\s+(?:in|at|on|over)\s+(?P<place>.+))?",
        _weather_degree,
    ),
    _rule(
        r"(?:rends|rendre|fais|faire|mets)\s+(?:la\s+|le\s+)?(?P<w>" + _WEATHER + r")\s+"
        r"(?P<how>plus (?:forte?|battante|dense|epaisse?|abondante|legere?|faible|fine|douce))"
        r"(?:\s+(?:dans|sur|a|au)\s+(?P<place>.+))?",
        _weather_degree,
    ),
    _rule(
        r"(?P<how>plus de|moins de)\s+(?P<w>" + _WEATHER + r")(?:\s+(?:dans|sur|a|au)\s+"
        r"(?P<place>.+))?",
        _weather_degree,
    ),
    _rule(
        r"(?:(?:make|set|change|switch|turn|mets|passe)\s+(?:it\s+|everything\s+|tout\s+)?"
        r"(?:to\s+|en\s+|a\s+)?)?(?:it\s+should\s+be\s+|il\s+doit\s+faire\s+|il fait\s+)?"
        r"(?P<val>"
        + _WHEN
        + r")(?:\s+"
        + _INSTEAD_OF
        + r"\s+(?:the\s+|du\s+|de\s+la\s+|le\s+|la\s+)?[a-z' ]+?)?\s+(?:in|at|on|for|over|dans|"
        r"pour|sur|a|au)\s+(?P<place>.+)",
        _location_time,
    ),
    _rule(
        r"(?:make\s+|set\s+|mets\s+|passe\s+)?(?P<place>.+?)\s+(?:should\s+be\s+|must\s+be\s+|"
        r"to\s+|doit\s+etre\s+|devrait\s+etre\s+|est\s+|en\s+)?(?:set\s+)?(?P<val>" + _WHEN + r")"
        r"(?:\s+" + _INSTEAD_OF + r"\s+.+)?",
        _location_time,
    ),
    _rule(
        r"(?:make|turn|render|light)\s+(?P<place>.+?)\s+(?:look\s+|feel\s+)?(?:a bit\s+|"
        r"a little\s+|much\s+|slightly\s+)?(?P<how>warmer|cosier|cozier|colder|cooler|darker|"
        r"dimmer|gloomier|moodier|brighter|lighter|sunnier)",
        _location_light,
    ),
    _rule(
        r"(?P<place>.+?)\s+(?:should|must|needs to|could)?\s*(?:be|look|feel|is|looks|feels)\s+"
        r"(?:(?P<too>too\s+(?:cold|warm|hot|dark|bright))|(?:a bit\s+|a little\s+|much\s+)?"
        r"(?P<how>warmer|cosier|cozier|colder|cooler|darker|dimmer|gloomier|brighter|sunnier))",
        _location_light,
    ),
    _rule(
        r"(?:rends|rendre|rendez|fais|faire)\s+(?P<place>.+?)\s+(?:un peu\s+|bien\s+)?"
        r"(?P<how>plus (?:chaleureu(?:x|se)|chaude?|froide?|sombre|lumineu(?:x|se)|claire?))",
        _location_light,
    ),
    _rule(
        r"(?P<place>.+?)\s+(?:doit|devrait)?\s*(?:etre|paraitre|sembler|est|parait|semble)\s+"
        r"(?:(?P<too>trop\s+(?:froide?|chaude?|sombre|lumineu(?:x|se)))|(?:un peu\s+)?"
        r"(?P<how>plus (?:chaleureu(?:x|se)|chaude?|froide?|sombre|lumineu(?:x|se)|claire?)))",
        _location_light,
    ),
    _rule(r"describe\s+(?P<name>.+?)\s+as\s+(?P<val>.+)", _element_description),
    _rule(r"(?P<name>.+?)\s+should look like\s+(?P<val>.+)", _element_description),
    # model
    _rule(
        r"(?:use|utilise[rz]?|prends|prendre|switch to|go|passe[rz]?\s+(?:sur|a|en))\s+(?:"
        + _LOCAL
        + r")(?:\s+(?:for|on|in|pour|sur|dans)\s+"
        + _S
        + r")?",
        _local_model,
    ),
    _rule(
        _S + r"\s+(?:should|must|will|could|can|has to|needs to|doit|devrait)?\s*(?:use|utiliser|"
        r"utilise|run on|tourner sur)\s+(?:" + _LOCAL + r")",
        _local_model,
    ),
    _rule(
        r"(?P<strict>(?:switch|change|set|update|change[rz]?|passe[rz]?|mets)\s+(?:the\s+|le\s+)?"
        r"(?:video\s+)?(?:model|modele))\s+(?:of|for|on|du|de|pour)\s+"
        + _S
        + r"\s+(?:to|into|with|for|:|=|en|pour|a|vers|par|sur)\s+(?P<model>.+)",
        _set_model,
    ),
    _rule(
        _S + r"\s+(?:should|must|will|could|can|has to|needs to|doit|devrait)?\s*(?:use|be "
        r"rendered with|be made with|be generated with|be done with|utiliser|utilise|etre fait "
        r"avec|etre genere avec|etre rendu avec)\s+(?P<model>.+)",
        _set_model,
    ),
    _rule(
        r"(?P<strict>(?:switch|change|set|update)\s+(?:the\s+)?(?:video\s+)?models?)\s+"
        r"(?:to|for|:|=)?\s*(?P<model>.+?)(?:\s+(?:for|on|in)\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?P<strict>(?:change[rz]?|passe[rz]?)\s+(?:le\s+)?modele)\s+(?:pour|en|a|:|=|vers)?"
        r"\s*(?P<model>.+?)(?:\s+(?:pour|sur|dans)\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?P<strict>(?:the\s+|le\s+)?(?:video\s+)?(?:model|modele))\s*(?::|=|->|should be|"
        r"doit etre)\s*(?P<model>.+?)(?:\s+(?:for|on|pour|sur)\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?:switch|change|move|go|passe[rz]?|bascule[rz]?)\s+(?:everything\s+|all\s+"
        r"(?:shots\s+)?|tout\s+)?(?:to|a|sur|vers|en)\s+(?P<model>.+?)(?:\s+(?:for|on|pour|sur)"
        r"\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?:use|utilise[rz]?|prends|prendre)\s+(?P<model>.+?)(?:\s+(?:model|modele|instead|"
        r"a la place))?(?:\s+(?:everywhere|for everything|throughout|partout|pour tout)|\s+"
        r"(?:for|on|in|pour|sur|dans)\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?:render|generate|make|do|shoot|fais|genere[rz]?)\s+" + _S + r"\s+(?:with|using|in|"
        r"on|avec|en|sur)\s+(?P<model>.+)",
        _set_model,
    ),
    # explicit shot field
    _rule(
        r"(?:set|change|make|mets|change[rz]?|passe[rz]?)?\s*(?:the\s+|le\s+|la\s+|l')?"
        r"(?P<field>"
        + _FIELD
        + r")\s+(?:of|for|on|du|de|pour)\s+"
        + _S
        + r"\s*(?:to|:|=|->|should be|must be|as|en|a|doit etre|sur)\s*(?P<val>.+)",
        _explicit_field,
    ),
    _rule(
        _S + r"\s*(?:'s)?\s*(?P<field>" + _FIELD + r")\s*(?::|=|->|to|should be|must be|en)\s*"
        r"(?P<val>.+)",
        _explicit_field,
    ),
    # a bare value for a shot
    _rule(
        r"(?:make|set|change|turn|switch|frame|shoot|film|have|mets|mettre|passe[rz]?|"
        r"cadre[rz]?|fais|faire|transforme[rz]?)\s+" + _S + r"\s+(?P<val>.+)",
        _shot_value,
    ),
    _rule(
        _S + r"\s*(?::|=|->|should be|must be|to be|needs to be|be|as|in|en|doit etre|"
        r"devrait etre|sera|soit|est)?\s*(?P<val>.+)",
        _shot_value,
    ),
    _rule(
        r"(?P<val>.+?)\s+(?:on|for|in|sur|pour|dans|au|du)\s+" + _S,
        _shot_value,
    ),
)
