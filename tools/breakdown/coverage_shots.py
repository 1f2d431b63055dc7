"""Coverage shots added after a scene's beats to reach a target length without stretching."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from storycore.tools.breakdown.design_base import _DesignerBase
from storycore.tools.breakdown.drafts import (
    _COVERAGE_HOSTS,
    _Draft,
    _f,
    _movement_name,
    _same_look,
)
from storycore.tools.breakdown.fitting import allocate_frames
from storycore.tools.breakdown.moments import Moment, beat_moments
from storycore.tools.breakdown.shot_lines import (
    _SINGULAR,
    MOST_OPENERS,
    _subject,
    coverage_line,
    does_it,
    hands_at_work,
    relative_clause,
    without_opener,
)
from storycore.tools.breakdown.text import (
    _dedupe,
    _says_only,
    _short,
    _tokens,
    capitalised,
    named_subject,
    told_sentence,
)
from storycore.tools.breakdown.wording import Wording
from storycore.tools.brief.looks import is_worn, without_introductions
from storycore.tools.domain import (
    CameraAngle,
    CameraMovement,
    Framing,
    IntExt,
    SceneType,
    ShotSize,
)
from storycore.tools.fountain import (
    fold,
)
from storycore.tools.text import word_set


class _CoverageShots(_DesignerBase):
    """Coverage of a scene's beats: close-ups, medium angles, performance, tracking, inserts,
    cutaways."""

    def cover(self, count: int) -> list[_Draft]:
        """The scene's shots with ``count`` coverage shots added, each right after the beat
        it covers (longer beats get more). A beat's own action is covered first (performance
        when someone sings or plays, tracking when someone moves), then the scene's rotation
        of close-ups, medium angles, inserts and cutaways (``rules.coverage_order``)."""
        hosts = [i for i, d in enumerate(self.drafts) if d.kind in _COVERAGE_HOSTS]
        if count <= 0 or not hosts:
            return self.drafts
        shares = allocate_frames([self.drafts[i].seconds for i in hosts], count)
        out: list[_Draft] = list(self.drafts[: hosts[0]])
        recent: list[str] = []  # characters shown so far, the last shown last
        for n, start in enumerate(hosts):
            end = hosts[n + 1] if n + 1 < len(hosts) else len(self.drafts)
            # The writer's own shots after a beat are not its coverage: it goes before them
            # ("The video ends on a close-up of..." stays the last shot).
            end = next((i for i in range(start + 1, end) if self.drafts[i].kind == "framed"), end)
            group = self.drafts[start:end]
            beat_start = len(out)
            out.extend(group)
            host = group[0]
            who = self._coverage_people(host, recent)
            for draft in group:
                for name in draft.characters:
                    recent = [*(c for c in recent if c != name), name]
            # A beat naming nobody still has whoever is already there.
            who = who or list(reversed(recent))
            self.beat_moments = (
                []
                if host.dialogue or not host.action
                else self._named_moments(
                    beat_moments(
                        self._without_looks(host.action),
                        self.scene.characters,
                    ),
                    who,
                )
            )
            own, rotation = self._coverage_options(host, who)
            self.coverage_turn = self._rotation_start(rotation)
            following = self.drafts[end] if end < len(self.drafts) else None
            # A beat the scene already told ("Rain." twice) was covered already: its coverage
            # repeats none of the shots of the earlier telling either.
            told = [d for d in out[:beat_start] if host.action and d.action == host.action]
            self.moments_told = Counter()
            for k in range(shares[n]):
                # Every shot of the beat so far: a coverage shot repeats none of them.
                neighbours = [*told, *out[beat_start:]]
                if k + 1 == shares[n] and following is not None:
                    neighbours.append(following)
                shot = self._coverage_shot(host, who, own, rotation, neighbours)
                if shot is None:
                    break  # every set-up left repeats a shot of the beat: the others last longer
                out.append(shot)
            later = hosts[n + 1] if n + 1 < len(hosts) else len(self.drafts)
            out.extend(self.drafts[end:later])  # the framed shots kept after the coverage
        self.drafts = out
        return out

    def _coverage_people(self, host: _Draft, recent: Sequence[str]) -> list[str]:
        """Who a beat shows: its characters, plus the people its pronouns point back to when
        it also names someone ("elle retrouve Léo" shows Nour too)."""
        people = list(host.characters)
        if host.dialogue:
            # The listeners first: coverage of a line is mostly their reaction.
            speakers = {line.character for line in host.dialogue}
            listeners = [c for c in reversed(recent) if c not in speakers]
            return _dedupe([*listeners[:1], *people])
        if not self._who(host.action):
            return people
        tokens = set(_tokens(host.action))
        groups = {name for name, words in self.rules.pronouns.items() if tokens & words}
        if not groups:
            return people
        count = 2 if "plural" in groups else len(groups)
        others = [c for c in reversed(recent) if c not in people]
        return people + others[:count]

    def _coverage_options(
        self, host: _Draft, who: Sequence[str]
    ) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
        """The set-ups that fit a beat: its own (performance, tracking), used once each and
        first, and the scene's rotation."""
        text = host.action or " ".join(line.text for line in host.dialogue)
        tokens = set(_tokens(text))
        self.performers: list[str] = []  # who of the beat sings or plays
        own: list[tuple[str, str | None]] = []
        rotation: list[tuple[str, str | None]] = []
        for name in self.rules.coverage_order:
            if host.dialogue and name not in ("close_up", "medium"):
                continue  # between lines, coverage is reactions and angles, not cutaways
            if name == "close_up":
                rotation.extend(("close_up", c) for c in who)
            elif name == "medium" and who:
                rotation.append(("medium", None))
            elif (
                name == "performance"
                and self.specs.pace in self.rules.performance_paces
                and who
                and tokens & self.rules.performance_words
            ):
                words = self.rules.performance_words
                doing = [self._doers(moment.text, who, words) for moment in self.beat_moments]
                self.performers = _dedupe([name for names in doing for name in names])
                if self.performers:
                    own.append(("performance", None))
            elif name == "tracking" and who and host.kind != "dialogue":
                mover = next(
                    (
                        m
                        for m in (self._mover(moment.text, who) for moment in self.beat_moments)
                        if m
                    ),
                    None,
                )
                if mover is not None:
                    own.append(("tracking", mover))
            elif name == "insert" and host.props:
                rotation.append(("insert", None))
            elif name == "atmosphere":
                rotation.append(("atmosphere", None))
        return own, rotation or [("atmosphere", None)]

    def _without_looks(self, text: str) -> str:
        """A beat as its coverage tells it: without the look that introduced someone
        (:func:`without_introductions`), nor the one said as a verb before what they do
        ("Tom wears a red cap and runs across the yard" is Tom running across the yard);
        the beat's own shot said it, the look is the character's."""
        text = without_introductions(text, self.scene.characters)
        for name in [*self.scene.characters, *_SINGULAR]:
            found = re.search(_WEARS.format(name=re.escape(name)), text, re.IGNORECASE)
            if found is not None and is_worn(found.group(2)):
                text = text[: found.end(1)] + " " + text[found.end() :]
        return text

    def _mover(self, text: str, who: Sequence[str]) -> str | None:
        """Who of ``who`` a moment of the beat shows moving, the one a tracking shot
        follows (:meth:`_doers` of a movement word: "Élise marche seule", "he runs across
        the yard"). None when what moves is a thing or an animal ("Le renard s'approche
        lentement": following the girl who watches it would show her standing still), or
        when the movement is someone else's ("Élise regarde le renard qui s'approche",
        "Tom watches Zoe run")."""
        return next(iter(self._doers(text, who, self._moving_words())), None)

    def _doers(self, text: str, who: Sequence[str], words: frozenset[str]) -> list[str]:
        """Who of ``who`` a moment shows doing one of ``words`` themselves: the people it
        opens on, when it is their own verb (:func:`_does_itself`), and anyone named whose
        relative clause says it ("elle retrouve Léo, un batteur qui joue sur des seaux":
        Léo plays, she does not)."""
        found: list[str] = []
        names, rest = _subject(without_opener(text, MOST_OPENERS), self.scene.characters)
        if names and _does_itself(rest, words):
            if names[0] != "_":
                found = [name for name in names if name in who]
            else:
                # a pronoun: the person it was read as (:meth:`_named_moments`), else the
                # first shown; "they" is everyone shown
                found = list(who) if len(names) > 1 else [who[0]]
        for name in who:
            relative = relative_clause(text, name)
            if relative is not None and _does_itself(relative, words):
                found = _dedupe([*found, name])
        return found

    def _moving_words(self) -> frozenset[str]:
        """The words of the rules that frame an action as movement ("walks", "court")."""
        return frozenset().union(
            *(rule.words for rule in self.rules.action_rules if rule.scene_type is SceneType.ACTION)
        )

    def _rotation_start(self, rotation: Sequence[tuple[str, str | None]]) -> int:
        """Where a beat's rotation starts: at the set-up after the last one the scene used,
        so consecutive beats do not all open on the same kind of shot."""
        if self.coverage_last is None:
            return 0
        order = list(self.rules.coverage_order)
        last = order.index(self.coverage_last) if self.coverage_last in order else -1
        for position, (name, _) in enumerate(rotation):
            if name in order and order.index(name) > last:
                return position
        return 0

    def _coverage_shot(
        self,
        host: _Draft,
        who: Sequence[str],
        own: list[tuple[str, str | None]],
        rotation: Sequence[tuple[str, str | None]],
        neighbours: Sequence[_Draft],
    ) -> _Draft | None:
        """The next coverage shot of a beat, None when each set-up would repeat one of
        ``neighbours`` (the beat's shots so far and the next one)."""
        turn = self.coverage_turn % len(rotation)
        candidates = [(option, True) for option in own] + [
            (rotation[(turn + k) % len(rotation)], False) for k in range(len(rotation))
        ]
        chosen: tuple[tuple[str, str | None], bool, _Draft] | None = None
        # The set-up the rotation asks for, in its next variant; when that repeats a shot of
        # the beat, its other variants (an extreme close-up, another angle), then the next
        # set-up. A shot that would repeat every one is not made.
        for option, is_own in candidates:
            for bump in range(_VARIANTS):
                draft = self._coverage_draft(option[0], option[1], host, who, bump)
                if not any(self._repeats(draft, other) for other in neighbours):
                    chosen = (option, is_own, draft)
                    break
            else:
                continue
            break
        if chosen is None:
            return None
        option, is_own, draft = chosen
        if draft.moment is not None:
            self.moments_told[draft.moment] += 1
        self.bare_said.add(draft.description)
        if is_own:
            own.remove(option)
        else:
            self.coverage_turn = rotation.index(option) + 1
            self.coverage_last = option[0]
        self.coverage_variant[option[0]] += 1
        return draft

    def _repeats(self, draft: _Draft, other: _Draft) -> bool:
        """Whether a coverage shot would repeat ``other``, a shot of its beat: the same
        set-up (:func:`_same_look`), or the same size of the same people from the same
        angle and camera movement, on their faces or on their hands both, whatever props
        it shows (a medium shot of Paul after the beat's medium shot of Paul holding the
        grapes is that shot again)."""
        if _same_look(draft, other):
            return True
        return (
            bool(draft.characters)
            and set(draft.characters) == set(other.characters)
            and draft.shot_size == other.shot_size
            and draft.framing == other.framing
            and draft.camera_angle == other.camera_angle
            and draft.camera_movement == other.camera_movement
            and self._on_hands(draft) == self._on_hands(other)
        )

    def _on_hands(self, draft: _Draft) -> bool:
        """Whether a shot is framed on someone's hands ("Close-up of Ana's hands...")."""
        words = self.words
        return any(
            draft.description.startswith(words("hands", subject=words.name(name)))
            for name in draft.characters
        )

    def _coverage_draft(
        self,
        setup: str,
        subject: str | None,
        host: _Draft,
        who: Sequence[str],
        bump: int = 0,
    ) -> _Draft:
        variant = self.coverage_variant[setup] + bump
        words = self.words
        if setup == "close_up":
            assert subject is not None
            # the hands of whoever does the work of the moment the close-up tells
            ahead = self._moment_for(setup, [], [subject])
            doing = self.beat_moments[ahead].text if ahead is not None else host.action
            hands = not host.dialogue and hands_at_work(
                doing, subject, self.scene.characters, words.language
            )
            shot = _close_up_setup(words, subject, bump, hands=hands)
        elif setup == "medium":
            shot = _medium_setup(words, host, who, variant)
        elif setup == "performance":
            shot = _performance_setup(words, self.performers or who, variant)
        elif setup == "tracking":
            assert subject is not None
            shot = _tracking_setup(words, subject)
        elif setup == "insert":
            shot = self._insert_setup(host, variant, bump)
        else:  # atmosphere: a cutaway of the place itself
            shot = self._atmosphere_setup(variant)
        phrase, label, size, movement = shot.phrase, shot.label, shot.size, shot.movement
        moment: int | None = None
        if host.dialogue:
            said = " ".join(words.quote(line.character, line.text) for line in host.dialogue)
            description, action, beat = words("after_line", what=phrase, said=said), "", said
        else:
            # what the set-up shows of the beat, without the look that introduced someone
            beat = self._without_looks(host.action)
            focus = shot.characters[:1] if shot.framing is Framing.OTS else shot.characters
            moment = self._moment_for(setup, shot.props, focus)
            fitting = [i for i in range(len(self.beat_moments)) if self._fits(setup, i, shot.props)]
            if moment is None and f"{phrase}." in self.bare_said and fitting:
                # "Gros plan de Nour." said once already in the film: this one tells a moment
                # again, the one told least, if no other coverage shot told it twice
                told_count = self.moments_told
                least = min(fitting, key=lambda i: (told_count[i], i))
                moment = least if told_count[least] < 2 else None
            told = self.beat_moments[moment].text if moment is not None else ""
            line = coverage_line(phrase, focus, told, self.scene.characters, words.language)
            if line is None and told:
                line = words("sentence", what=phrase, text=told_sentence(told)).strip()
            # "Dusk over the harbour." after "Wide shot of the harbour, slow pan" says it twice
            setting = f"{phrase} {self.scene.time_of_day or ''}"
            description = line if line and not _says_only(told, setting) else f"{phrase}."
            action = host.action
            beat = told or beat
        return _Draft(
            kind="coverage",
            scene_index=self.index,
            seconds=self._kind_seconds("coverage"),
            floor=_f(self.pace.min),
            elastic=True,
            shot_size=size,
            framing=shot.framing,
            camera_angle=shot.angle,
            camera_movement=movement,
            scene_type=shot.scene_type,
            title=capitalised(
                words.labelled(
                    _short(label, 40),
                    _short(named_subject(beat, shot.characters, words.names(shot.characters)), 40),
                )
                if beat
                else _short(label, 80)
            ),
            description=description,
            action=action,
            camera_details=f"{self._lens(size):g}mm, {_movement_name(movement)}",
            characters=shot.characters,
            props=shot.props,
            notes=[f"coverage ({setup.replace('_', '-')}) added to reach the target length"],
            moment=moment,
        )

    def _named_moments(self, moments: list[Moment], who: Sequence[str]) -> list[Moment]:
        """``moments`` with a pronoun subject told by the name it stands for, when a beat
        shows two people and only one is of its gender ("Il verse le vin" with Paul and
        Alma is Paul pouring): a close-up of Alma is not of her pouring."""
        if len(who) < 2 or not self.genders:
            return moments
        genders = self.genders
        named: list[Moment] = []
        for moment in moments:
            first, _, rest = moment.text.partition(" ")
            groups = {
                group
                for group, words in self.rules.pronouns.items()
                if fold(first) in words and group in ("masculine", "feminine")
            }
            subject = fold(first) in _SINGULAR
            # who is of that gender, else the one whose gender the story does not say
            matching = [c for c in who if genders.get(c) in groups] or [
                c for c in who if genders.get(c) is None
            ]
            if subject and len(groups) == 1 and len(matching) == 1 and rest:
                moment = Moment(f"{matching[0]} {rest}", moment.person)
            named.append(moment)
        return named

    def _moment_for(self, setup: str, props: Sequence[str], focus: Sequence[str]) -> int | None:
        """Which of the beat's moments a coverage set-up tells: one no other coverage shot
        of the beat told yet, the one it shows best first. A shot of someone tells first
        what they do, then what the others of the cast do (what a thing or the place does
        only in a beat of nothing else: "Close-up of Zoe, as the crowd cheers"); a cutaway
        only what the place or a thing does; an insert only what happens with its prop
        (:meth:`_fits`); a tracking shot, the moment its person moves in. None when each
        moment is told already: the set-up alone says enough, the shot list having said the
        action once at each of its moments."""
        free = [
            i
            for i in range(len(self.beat_moments))
            if i not in self.moments_told and self._fits(setup, i, props)
        ]
        if not free:
            return None

        def rank(index: int) -> int:
            moment = self.beat_moments[index]
            if setup == "tracking" and focus and self._mover(moment.text, focus) == focus[0]:
                return -1  # a tracking shot follows them moving, not standing
            if not moment.person:
                return 2
            return 0 if does_it(moment.text, focus, self.scene.characters) else 1

        return min(free, key=lambda index: (rank(index), index))

    def _fits(self, setup: str, index: int, props: Sequence[str]) -> bool:
        """Whether a set-up can tell the beat's moment ``index``: an insert only what
        happens with its prop; a cutaway of the place only what the place or a thing does,
        never what one of the cast does (a wide of the empty car park "as he lands hard"
        shows nobody landing); a shot of someone what the cast does, when the beat has
        that to tell."""
        moment = self.beat_moments[index]
        if setup == "insert":
            head = fold(props[0]).rsplit(" ", 1)[-1] if props else ""
            return bool(head) and head in fold(moment.text)
        if setup == "atmosphere":
            return not moment.person
        return moment.person or not any(m.person for m in self.beat_moments)

    def _insert_setup(self, host: _Draft, variant: int, bump: int = 0) -> _Setup:
        prop = host.props[variant % len(host.props)]
        head = fold(prop).rsplit(" ", 1)[-1]
        size = ShotSize.ECU if head in self.rules.small_props else ShotSize.CU
        # A second look at the same prop, when the first repeats a shot of the beat: from above.
        above = bump % 2 == 1
        words = self.words
        view = words.size(size.value).lower()
        if above:
            view = words("insert_top", size=view)
        return _Setup(
            size=size,
            movement=CameraMovement.STATIC,
            scene_type=SceneType.INSERT,
            angle=CameraAngle.HIGH if above else CameraAngle.EYE_LEVEL,
            phrase=words("insert", view=view, prop=words.prop(prop)),
            label=words("insert_title", prop=prop),
            framing=Framing.INSERT,
            props=[prop],
        )

    def _atmosphere_setup(self, variant: int) -> _Setup:
        place = self._place()
        outside = self.scene.int_ext is IntExt.EXT
        size, movement, angle, name = _ATMOSPHERES[variant % _VARIANTS]
        if variant % _VARIANTS == 0:
            size = ShotSize.EWS if outside else ShotSize.WS
            angle = CameraAngle.HIGH if outside else CameraAngle.EYE_LEVEL
        words = self.words
        return _Setup(
            size=size,
            movement=movement,
            scene_type=SceneType.ATMOSPHERIC,
            phrase=words(f"atmosphere.{name}", size=words.size(size.value), place=place),
            label=words("atmosphere_label", place=place),
            angle=angle,
        )


#: Someone's look said as their first verb, before another one ("Tom wears a red cap and
#: runs", "elle porte un ciré jaune et traverse"): group 1 the name, group 2 what is worn.
_WEARS = r"(?<![\w'’])({name})\s+(?:wears|is\s+wearing|porte)\s+([^,.;:!?]+?)\s+(?:and|et)\s+(?=\w)"

#: How a subject's verbs are chained: "s'arrête, se retourne et court", "then runs".
_CHAINED = re.compile(r"[,;]|(?<!\w)(?:and|et|then|puis|ensuite)(?!\w)", re.IGNORECASE)

#: Words after which a verb is someone or something else's: a relative ("le renard qui
#: s'approche"), "while" / "as", and the verbs of seeing and hearing, whose object does
#: what follows ("watches Leo run", "regarde le train partir").
_SOMEONE_ELSES = word_set(
    "qui que qu dont ou who whom which that where while as pendant "
    "watch watches watching see sees seeing look looks looking observe observes observing "
    "stare stares staring gaze gazes notice notices spot spots hear hears listen listens "
    "regarde regardent observe observent voit voient fixe fixent contemple contemplent "
    "ecoute ecoutent entend entendent apercoit guette guettent"
)


def _does_itself(rest: str, words: frozenset[str]) -> bool:
    """Whether the words after a clause's subject say it does one of ``words`` itself (a
    movement, singing): such a word in one of its chained verbs before anything opens
    someone else's action in that verb (a relative, a verb of seeing, another name)."""
    for verb in _CHAINED.split(rest):
        for position, word in enumerate(verb.split()):
            if position and word[:1].isupper():
                break  # "Tom follows Zoe": what follows the name is hers
            tokens = _tokens(word)
            if any(t in _SOMEONE_ELSES for t in tokens):
                break
            if any(t in words for t in tokens):
                return True
    return False


#: The cutaways of a place, in the order a scene uses them: size, movement, angle, wording
#: (the first one's size and angle follow the scene: outside, an extreme wide from high).
_ATMOSPHERES: list[tuple[ShotSize, CameraMovement, CameraAngle, str]] = [
    (ShotSize.WS, CameraMovement.PAN, CameraAngle.EYE_LEVEL, "pan"),
    (ShotSize.WS, CameraMovement.DOLLY_IN, CameraAngle.EYE_LEVEL, "push"),
    (ShotSize.WS, CameraMovement.PAN, CameraAngle.LOW, "low"),
    (ShotSize.FS, CameraMovement.STATIC, CameraAngle.HIGH, "high"),
    (ShotSize.MWS, CameraMovement.TRUCK, CameraAngle.EYE_LEVEL, "truck"),
    (ShotSize.EWS, CameraMovement.CRANE, CameraAngle.HIGH, "crane"),
    (ShotSize.MS, CameraMovement.STATIC, CameraAngle.LOW, "detail"),
    (ShotSize.WS, CameraMovement.DOLLY_OUT, CameraAngle.EYE_LEVEL, "pull"),
]


@dataclass
class _Setup:
    """How a coverage shot is framed and worded, before it becomes a draft."""

    size: ShotSize
    movement: CameraMovement
    scene_type: SceneType
    phrase: str
    label: str
    angle: CameraAngle = CameraAngle.EYE_LEVEL
    framing: Framing = Framing.SINGLE
    characters: list[str] = field(default_factory=list)
    props: list[str] = field(default_factory=list)


#: How many variants of a set-up are tried before a coverage shot may repeat one of its beat.
_VARIANTS = 8


def _close_up_setup(
    words: Wording, subject: str, variant: int = 0, *, hands: bool = False
) -> _Setup:
    """A close-up of ``subject``: in turn the face (pushing in), the eyes, a low angle;
    with ``hands`` (the beat is work of the hands) the first is on the hands, since the beat's
    shot already showed the person doing it."""
    name = words.name(subject)
    if hands and variant % 4 == 0:
        key, size, angle = "hands", ShotSize.CU, CameraAngle.EYE_LEVEL
    elif variant % 4 in (1, 3):
        key, size, angle = "eyes", ShotSize.ECU, CameraAngle.EYE_LEVEL
    elif variant % 4 == 2:
        key, size, angle = "low_close_up", ShotSize.CU, CameraAngle.LOW
    else:
        close_up = words.size(ShotSize.CU.value)
        return _Setup(
            size=ShotSize.CU,
            movement=CameraMovement.DOLLY_IN,
            scene_type=SceneType.CLOSE_UP,
            phrase=words("framed", size=close_up, subject=name),
            label=words("framed_label", size=close_up, subject=name),
            characters=[subject],
        )
    return _Setup(
        size=size,
        movement=CameraMovement.STATIC,
        scene_type=SceneType.CLOSE_UP,
        phrase=words(key, subject=name),
        label=words(f"{key}_label", subject=name),
        angle=angle,
        characters=[subject],
    )


def _medium_setup(words: Wording, host: _Draft, who: Sequence[str], variant: int) -> _Setup:
    action = host.scene_type is SceneType.ACTION
    scene_type = SceneType.ACTION if action else SceneType.ATMOSPHERIC
    framing = Framing.SINGLE
    if len(who) >= 2:
        onto, over = (who[0], who[1]) if variant % 4 < 2 else (who[1], who[0])
        characters = [onto, over]
        if variant % 2 == 0:
            size, framing = ShotSize.MS, Framing.OTS
            phrase = words("ots_medium", over=words.name(over), onto=words.name(onto))
            label = words("ots_label", over=words.name(over))
        else:
            size, framing = ShotSize.MWS, Framing.TWO_SHOT
            phrase = words("two_shot_medium_wide", who=words.names(characters))
            label = words("two_shot_label", who=words.names(characters))
    else:
        size = ShotSize.MS if variant % 2 == 0 else ShotSize.MCU
        characters = [who[0]]
        phrase = words("framed", size=words.size(size.value), subject=words.name(who[0]))
        label = words("framed_label", size=words.size(size.value), subject=words.name(who[0]))
    return _Setup(
        size=size,
        movement=CameraMovement.STATIC,
        scene_type=scene_type,
        phrase=phrase,
        label=label,
        framing=framing,
        characters=characters,
    )


def _performance_setup(words: Wording, who: Sequence[str], variant: int) -> _Setup:
    performers = list(who)
    size, framing = ShotSize.MS, Framing.SINGLE
    if len(performers) >= 2 and variant % 3 == 2:
        size = ShotSize.MWS
        framing = Framing.TWO_SHOT if len(performers) == 2 else Framing.GROUP
        characters = performers
    else:
        characters = [performers[variant % len(performers)]]
    names = words.names(characters)
    return _Setup(
        size=size,
        movement=CameraMovement.ORBIT,
        scene_type=SceneType.PERFORMANCE,
        phrase=words("performance", who=names),
        label=words("performance_label", who=names),
        framing=framing,
        characters=characters,
    )


def _tracking_setup(words: Wording, subject: str) -> _Setup:
    return _Setup(
        size=ShotSize.FS,
        movement=CameraMovement.TRACKING,
        scene_type=SceneType.ACTION,
        phrase=words("tracking", subject=words.name(subject)),
        label=words("tracking_label", subject=words.name(subject)),
        characters=[subject],
    )
