"""The shots a scene's beats call for: establishing, action, inserts, dialogue, reactions."""

from __future__ import annotations

from collections.abc import Sequence

from storycore.tools.breakdown.directed_shots import _DirectedShots
from storycore.tools.breakdown.drafts import (
    _Draft,
    _f,
    _movement_name,
    _people_framing,
    _same_look,
)
from storycore.tools.breakdown.places import without_said_setting
from storycore.tools.breakdown.shot_lines import action_line, thing_acting, thing_line
from storycore.tools.breakdown.text import (
    _chunks,
    _says_only,
    _short,
    _tokens,
    capitalised,
    named_subject,
    pronoun_before_names,
    told_sentence,
)
from storycore.tools.breakdown.wording import Phrase
from storycore.tools.directions import stated_direction
from storycore.tools.domain import (
    Beat,
    CameraAngle,
    CameraMovement,
    DialogueLine,
    Framing,
    IntExt,
    SceneType,
    ShotSize,
)
from storycore.tools.fountain import (
    fold,
    lit_time,
    mentions,
)
from storycore.tools.fountain.people import PERSON_NOUNS
from storycore.tools.text import word_set


class _BeatShots(_DirectedShots):
    """The shots of a scene's own beats."""

    def establishing(self, opening: str, upcoming: Sequence[Beat] = ()) -> None:
        """The wide shot of a new place, with the scene's opening action (``upcoming``: the
        scene's beats after it, who may come in later)."""
        outside = self.scene.int_ext is IntExt.EXT
        size = ShotSize.EWS if outside else ShotSize.WS
        words = self.words
        place = self._place()
        what = words(f"establishing_{'outside' if outside else 'inside'}", place=place)
        time = lit_time(self.scene.time_of_day)
        if time:
            what = words("at_time", what=what, time=time)
        if opening and not _says_only(opening, str(what)):
            opening = without_said_setting(opening, str(what))
        seconds = max(self._kind_seconds("establishing"), self._action_seconds(opening))
        self._add(
            _Draft(
                kind="establishing",
                scene_index=self.index,
                seconds=seconds if opening else self._kind_seconds("establishing"),
                floor=_f(self.pace.min),
                elastic=True,
                shot_size=size,
                framing=Framing.SINGLE,
                camera_angle=CameraAngle.HIGH if outside else CameraAngle.EYE_LEVEL,
                camera_movement=CameraMovement.DOLLY_IN,
                scene_type=SceneType.ESTABLISHING,
                title=words(
                    "establishing_title", place=Phrase(_short(place.text, 40), place.language)
                ),
                description=words("sentence", what=what, text=told_sentence(opening)).strip()
                if opening and not _says_only(opening, str(what))
                else f"{what}.",
                action=opening,
                camera_details=f"{self._lens(size):g}mm, slow dolly in",
                characters=self._there_at_start(opening, upcoming),
                props=self._props_in(opening),
            )
        )
        self._inserts(opening)

    def _there_at_start(self, opening: str, upcoming: Sequence[Beat]) -> list[str]:
        """Who the establishing shot shows: the people its opening names, and whom its
        pronouns stand for, but not someone only an object pronoun stood for ("the city
        glows behind her") whom a later action beat brings in ("A drummer, KAI, hits the
        drums"): the shot shows who is there when the scene opens. A subject pronoun
        before the names ("il verse le vin pendant que sa fille Alma...") is someone there."""
        who = self._who_or_pronoun(opening)
        named = self._who(opening)
        if not named or pronoun_before_names(opening, named) is not None:
            return who
        later = [b.text for b in upcoming if b.kind == "action"]
        return [n for n in who if n in named or not any(mentions(t, n) for t in later)]

    def action(self, text: str) -> None:
        direction = stated_direction(text)
        if direction is not None:  # the writer framed this shot: one shot, as written
            self.directed(text, direction)
            return
        earlier = len(self.drafts)  # the shots of the beats before this one
        for chunk in self._action_chunks(text):
            self._action_chunk(chunk, self.drafts[:earlier])

    def _action_chunk(self, chunk: str, earlier: Sequence[_Draft] = ()) -> None:
        who = self._who_or_pronoun(chunk)
        tokens = set(_tokens(chunk))
        rule = next((r for r in self.rules.action_rules if tokens & r.words), None)
        thing: tuple[str, str] | None = None  # what a beat naming nobody shows close
        if (
            rule is not None
            and not who
            and rule.scene_type in _SET_UPS_ON_SOMEONE
            and not tokens & _MOVERS
        ):
            # "Snow falls on the chairs", "la fumée monte du toit": the camera follows or
            # shakes with someone who moves (a person unnamed, an animal); what moves
            # without anyone is framed as a thing or the place is, not handheld or tracked.
            rule = None
        if rule is not None and (who or rule.scene_type is not SceneType.CLOSE_UP):
            size, movement, scene_type = rule.shot_size, rule.camera_movement, rule.scene_type
            framing = rule.framing
            if len(who) >= 2 and framing is Framing.SINGLE:
                framing = Framing.TWO_SHOT if len(who) == 2 else Framing.GROUP
                if size in (ShotSize.CU, ShotSize.ECU):
                    # Two faces do not fit a close-up: a medium two-shot, pushing in.
                    size, scene_type = ShotSize.MS, SceneType.ATMOSPHERIC
        elif who:
            size, framing = _people_framing(len(who))
            movement, scene_type = CameraMovement.STATIC, SceneType.ATMOSPHERIC
        elif self._props_in(chunk):
            # Nobody acts but a prop is named ("the can on the counter"): the shot shows the
            # prop, it is not a wide shot of the place (and needs no separate insert).
            size, framing = ShotSize.CU, Framing.INSERT
            movement, scene_type = CameraMovement.STATIC, SceneType.INSERT
            self.inserted.update(self._props_in(chunk))
        elif thing := (thing_acting(chunk) if self.words.language == "en" else None):
            # "The kettle boils.": a close-up of the kettle, not a wide shot of the kitchen
            size, framing = ShotSize.CU, Framing.INSERT
            movement, scene_type = CameraMovement.STATIC, SceneType.INSERT
        else:
            size, framing = ShotSize.WS, Framing.SINGLE
            outside = self.scene.int_ext is IntExt.EXT
            movement = CameraMovement.PAN if outside else CameraMovement.STATIC
            scene_type = SceneType.ATMOSPHERIC
        words = self.words
        subject: object
        if who:
            subject = words.names(who)
        elif framing is Framing.INSERT and self._props_in(chunk):
            subject = words.join([words.prop(prop) for prop in self._props_in(chunk)])
        elif thing:
            subject = words.prop(thing[0])
        else:
            subject = self._place()

        def described(size: ShotSize) -> str:
            what = words("framed", size=words.size(size.value), subject=subject)
            if thing and not who:
                told = thing_line(str(what), thing[1])
                if told is not None:
                    return told
            # "Full shot of Marta walking the rows": one line when the shot frames who acts
            line = action_line(str(what), who, chunk, self.scene.characters, words.language)
            return line or words("sentence", what=what, text=told_sentence(chunk))

        def draft(size: ShotSize) -> _Draft:
            return _Draft(
                kind="action",
                scene_index=self.index,
                seconds=self._action_seconds(chunk),
                floor=_f(self.pace.min),
                elastic=True,
                shot_size=size,
                framing=framing,
                camera_movement=movement,
                scene_type=scene_type,
                title=capitalised(
                    words.labelled(
                        _short(str(subject), 30), _short(named_subject(chunk, who, subject), 40)
                    )
                ),
                description=described(size),
                action=chunk,
                camera_details=f"{self._lens(size):g}mm, {_movement_name(movement)}",
                characters=who,
                props=self._props_in(chunk),
            )

        # A beat the scene tells again ("Rain." twice) is framed anew, never the same shot;
        # the parts of one long beat are one continuous set-up.
        shot = draft(size)
        for other in _nearest_sizes(size):
            if not any(_same_look(shot, e) for e in earlier if e.action == chunk):
                break
            shot = draft(other)
        self._add(shot)
        self._inserts(chunk)

    def _inserts(self, text: str) -> None:
        for prop in self._props_in(text):
            if prop in self.inserted or prop in self.handled_only:
                continue
            self.inserted.add(prop)
            head = fold(prop).rsplit(" ", 1)[-1]
            size = ShotSize.ECU if head in self.rules.small_props else ShotSize.CU
            words = self.words
            view = words.size(size.value).lower()
            self._add(
                _Draft(
                    kind="insert",
                    scene_index=self.index,
                    seconds=self._kind_seconds("insert"),
                    floor=_f(self.pace.min),
                    elastic=True,
                    shot_size=size,
                    framing=Framing.INSERT,
                    camera_movement=CameraMovement.STATIC,
                    scene_type=SceneType.INSERT,
                    title=words("insert_title", prop=_short(prop, 40)),
                    description=words("insert", view=view, prop=words.prop(prop)) + ".",
                    camera_details=f"{self._lens(size):g}mm macro, static",
                    props=[prop],
                )
            )

    def _listener(self, speaker: str, upcoming: Sequence[Beat]) -> str | None:
        for beat in upcoming:
            if (
                beat.kind == "dialogue"
                and beat.character
                and beat.character != speaker
                and beat.extension is None
                and beat.character in self.scene.characters
            ):
                return beat.character
        for name in reversed(self.last_speakers):
            if name != speaker and name in self.scene.characters:
                return name
        return next((c for c in self.scene.characters if c != speaker), None)

    def _enters_later(self, name: str, upcoming: Sequence[Beat]) -> bool:
        """Whether ``name``, not shown yet, comes in later: an action beat names them before
        they speak."""
        if self._seen(name):
            return False
        for beat in upcoming:
            if beat.kind == "dialogue" and beat.character == name:
                return False
            if beat.kind == "action" and mentions(beat.text, name):
                return True
        return False

    def narration(self, beat: Beat) -> None:
        speech = self._speech_seconds(beat.text)
        line = f"{beat.character}: {beat.text}" if beat.character else beat.text
        last = self.drafts[-1] if self.drafts else None
        if last is not None and last.kind != "dialogue" and not last.narration:
            # Voice-over plays over the picture already there; the shot holds for it.
            last.narration = line
            last.seconds = max(last.seconds, speech + _f(self.rules.dialogue_padding))
            last.floor = max(last.floor, speech)
            last.speech_seconds = speech
            last.notes.append("voice-over: no lip-sync")
            return
        words = self.words
        place = self._place()
        if beat.character:
            heard = words("voice_over_named", place=place, speaker=words.name(beat.character))
        else:
            heard = words("voice_over", place=place)
        self._add(
            _Draft(
                kind="narration",
                scene_index=self.index,
                seconds=self._dialogue_seconds(beat.text),
                floor=speech,
                elastic=False,
                shot_size=ShotSize.WS,
                framing=Framing.SINGLE,
                camera_movement=CameraMovement.PAN,
                scene_type=SceneType.ATMOSPHERIC,
                title=words("voice_over_title", text=_short(beat.text, 40)),
                description=heard,
                camera_details=f"{self._lens(ShotSize.WS):g}mm, slow pan",
                narration=line,
                notes=["voice-over: no lip-sync"],
                speech_seconds=speech,
            )
        )

    def dialogue(self, beats: Sequence[Beat], upcoming: Sequence[Beat]) -> None:
        """One dialogue beat (or a dual-dialogue pair spoken together)."""
        beat = beats[0]
        speaker = beat.character or "Someone"
        if len(beats) == 2:
            self._dual(beats)
            return
        if beat.extension == "V.O.":
            self.narration(beat)
            return
        listener = self._listener(speaker, upcoming)
        if listener is not None and self._enters_later(listener, upcoming):
            listener = None  # "He's late." before Kofi steps out of the shadows
        chunks = _chunks(beat.text, self._max_words_dialogue())
        for part, chunk in enumerate(chunks):
            line = DialogueLine(
                character=speaker,
                text=chunk,
                parenthetical=beat.parenthetical if part == 0 else None,
            )
            if beat.extension is not None:
                self._off_screen(line, listener)
            else:
                self._coverage(line, listener)
            self.lines_since_reaction += 1
        self.last_speakers.append(speaker)
        if self._lands(beat, upcoming) and listener and beat.extension is None:
            self._reaction(listener, speaker)

    def _lands(self, beat: Beat, upcoming: Sequence[Beat]) -> bool:
        if self.lines_since_reaction < self.rules.reaction_min_gap:
            return False
        if beat.text.rstrip(" \"'”»’").endswith(("!", "?")):
            return True
        following = next((b for b in upcoming if b.kind != "transition"), None)
        return bool(
            following is not None
            and following.kind == "dialogue"
            and following.parenthetical
            and fold(following.parenthetical) in self.rules.reaction_pause_words
        )

    def _dialogue_draft(
        self,
        line: DialogueLine,
        size: ShotSize,
        framing: Framing,
        who: list[str],
        description: str,
        details: str,
        notes: list[str] | None = None,
    ) -> _Draft:
        speech = self._speech_seconds(line.text)
        return _Draft(
            kind="dialogue",
            scene_index=self.index,
            seconds=self._dialogue_seconds(line.text),
            floor=speech,
            elastic=False,
            shot_size=size,
            framing=framing,
            camera_movement=CameraMovement.STATIC,
            scene_type=SceneType.DIALOGUE,
            title=self.words(
                "labelled", label=_short(line.character, 30), text=_short(line.text, 40)
            ),
            description=description,
            camera_details=f"{self._lens(size):g}mm, static, {details}",
            characters=who,
            dialogue=[line],
            notes=notes or [],
            speech_seconds=speech,
        )

    def _coverage(self, line: DialogueLine, listener: str | None) -> None:
        words = self.words
        speaker = line.character
        quote = words.quote(speaker, line.text)
        if listener is None:
            size = self.rules.monologue_cycle[self.coverage_count % len(self.rules.monologue_cycle)]
            framed = words("framed", size=words.size(size.value), subject=words.name(speaker))
            draft = self._dialogue_draft(
                line,
                size,
                Framing.SINGLE,
                [speaker],
                words("sentence", what=framed, text=quote),
                "single",
            )
        else:
            if self.coverage_count == 0:
                setup = self.rules.coverage_opening
            else:
                cycle = self.rules.coverage_cycle
                setup = cycle[(self.coverage_count - 1) % len(cycle)]
            if setup.framing is Framing.TWO_SHOT:
                who = [speaker, listener]
                what = words("two_shot", who=words.names(who))
                details = "two-shot"
            elif setup.framing is Framing.OTS:
                who = [speaker, listener]
                what = words(
                    "ots",
                    over=words.name(listener),
                    onto=words.name(speaker),
                    size=words.size(setup.shot_size.value),
                )
                details = f"over {listener}'s shoulder"
            else:
                who = [speaker]
                what = words(
                    "framed", size=words.size(setup.shot_size.value), subject=words.name(speaker)
                )
                details = "single"
            draft = self._dialogue_draft(
                line,
                setup.shot_size,
                setup.framing,
                who,
                words("sentence", what=what, text=quote),
                details,
            )
        self.coverage_count += 1
        self._add(draft)

    def _off_screen(self, line: DialogueLine, listener: str | None) -> None:
        # Frame the listener only once the scene has shown them; otherwise the place.
        if listener is not None and not self._seen(listener):
            listener = None
        who = [listener] if listener else []
        words = self.words
        subject = words.name(listener) if listener else self._place()
        size = ShotSize.MCU if listener else ShotSize.WS
        what = words(
            "off_screen",
            size=words.size(size.value),
            subject=subject,
            speaker=words.name(line.character),
        )
        self._add(
            self._dialogue_draft(
                line,
                size,
                Framing.SINGLE,
                who,
                f"{what} {words.quote(line.character, line.text)}",
                "speaker off screen",
                ["speaker off screen: no lip-sync"],
            )
        )

    def _dual(self, beats: Sequence[Beat]) -> None:
        speakers = [b.character or "Someone" for b in beats]
        lines = [
            DialogueLine(character=s, text=b.text, parenthetical=b.parenthetical)
            for s, b in zip(speakers, beats, strict=True)
        ]
        speech = max(self._speech_seconds(b.text) for b in beats)
        words = self.words
        seconds = max(
            speech + _f(self.rules.dialogue_padding), _f(self.pace.min)
        )  # spoken together
        self._add(
            _Draft(
                kind="dialogue",
                scene_index=self.index,
                seconds=seconds,
                floor=speech,
                elastic=False,
                shot_size=ShotSize.MS,
                framing=Framing.TWO_SHOT,
                camera_movement=CameraMovement.STATIC,
                scene_type=SceneType.DIALOGUE,
                title=words("dual_title", who=words.names(speakers)),
                description=words("dual", who=words.names(speakers))
                + " "
                + " ".join(words.quote(line.character, line.text) for line in lines),
                camera_details=f"{self._lens(ShotSize.MS):g}mm, static, two-shot",
                characters=[s for s in speakers if s in self.scene.characters] or speakers,
                dialogue=lines,
                notes=["dual dialogue: both lines at once"],
                speech_seconds=speech,
            )
        )
        self.coverage_count += 1
        self.last_speakers.extend(speakers)

    def _reaction(self, listener: str, speaker: str) -> None:
        self.lines_since_reaction = 0
        words = self.words
        self._add(
            _Draft(
                kind="reaction",
                scene_index=self.index,
                seconds=self._kind_seconds("reaction"),
                floor=_f(self.pace.min),
                elastic=True,
                shot_size=ShotSize.CU,
                framing=Framing.SINGLE,
                camera_movement=CameraMovement.STATIC,
                scene_type=SceneType.CLOSE_UP,
                title=words("reaction_title", listener=_short(listener, 40)),
                description=words(
                    "reaction", listener=words.name(listener), speaker=words.name(speaker)
                ),
                camera_details=f"{self._lens(ShotSize.CU):g}mm, static, reaction",
                characters=[listener],
            )
        )


#: The kinds of set-up a framing rule makes that follow what someone does (running,
#: walking, dancing): a beat where no one moves gets none of them.
_SET_UPS_ON_SOMEONE = frozenset({SceneType.ACTION, SceneType.PERFORMANCE, SceneType.CLOSE_UP})

#: Who may move in a beat that names no character: a person told by a noun ("the first
#: customer steps in") or an animal ("le renard s'approche"), English and French, folded.
_MOVERS = PERSON_NOUNS | word_set(
    """customer customers people crowd dog dogs cat cats fox foxes horse horses bird birds
    deer wolf wolves cow cows sheep goat goats bear rabbit hare owl gull gulls crow duck ducks
    mouse rat chien chiens chat chats renard renards cheval chevaux oiseau oiseaux cerf biche
    loup loups vache vaches mouton moutons chevre ours lapin lievre hibou mouette mouettes
    corbeau canard canards souris foule gens"""
)


def _nearest_sizes(size: ShotSize) -> list[ShotSize]:
    """The other shot sizes, nearest to ``size`` first (wider before closer at equal steps)."""
    order = list(ShotSize)
    at = order.index(size)
    return sorted((s for s in order if s is not size), key=lambda s: abs(order.index(s) - at))
