"""AiPanel: the AI assist — backend (local ONNX on CUDA/CPU, or a remote server with a status light), drafting
difficulties with an NPS target each, regenerating a region as N variants, refining up, and accepting/rejecting
the ghost notes. Every request runs in the background with progress and Cancel."""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chart.song import MODEL_SLOTS, Slot
from chart.stats import SLOT_NPS_RANGES, default_nps
from editor.colors import text_color
from editor.key_hints import follow_keys, hint
from editor.panels.labels import buddy

REFINE_TIP = "Draft a higher difficulty from the current chart's rhythm (the model's refine mode)"
SIMPLIFY_TIP = ("Draft an easier difficulty from the current chart: its rows the model rates highest for the easier "
                "slot, with their arrows (jumps thinned)")
LIGHTS = {"ok": "#3ccf6e", "down": "#e04848", "fallback": "#e0a030", "unknown": "#777777"}
# What the seed does: drafts, refines, simplifies and the first variant are the models' best guess (greedy), the
# same for every seed; only the other variants are sampled (lane temperature VARIANT_TEMPERATURE, own density)
SEED_TIP = ("Seeds variants 2 to N of Regenerate selection and Arrows for selection: the same seed gives the same "
            "variants. Drafts, Refine, Simplify and the first variant are the model's best guess and do not depend "
            "on it.")


class AiPanel(QWidget):
    """Controls for :class:`~editor.controllers.drafting.DraftController`."""

    def __init__(self, win, drafting, parent: QWidget | None = None):
        super().__init__(parent)
        self.win, self.drafting = win, drafting
        s = drafting.settings
        layout = QVBoxLayout(self)
        layout.addWidget(self._backend_box(s))
        layout.addWidget(self._draft_box())
        layout.addWidget(self._region_box(s))
        layout.addWidget(self._decide_box())
        row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(drafting.cancel)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addStretch(1)
        drafting.busy_changed.connect(self._busy)
        drafting.progress.connect(lambda f, text: self._show_progress(f, text))
        drafting.backend_changed.connect(self.device.setText)
        drafting.server_state.connect(self.set_light)
        drafting.ghosts.changed.connect(self._ghosts_changed)
        # the variant flipper is the shown chart's: another chart's "variant 1/2" answered ▶ with "No variants here"
        win.session.chart_switched.connect(lambda *_: self._follow_chart())
        win.session.chart_switched.connect(lambda *_: self._ghosts_changed())  # after it, as Qt calls in order
        for signal in (win.session.chart_switched, win.session.audio_changed, win.session.document_replaced,
                       drafting.backend_changed):
            signal.connect(lambda *_: self.show_caps())
        win.session.document_replaced.connect(self._watch_timing)
        self._watch_timing()
        self.set_light("unknown", "not checked")
        self._ghosts_changed()
        self._follow_chart()
        self.show_caps()

    # ------------------------------------------------------------------ sections
    def _backend_box(self, s) -> QGroupBox:
        box = QGroupBox("Model backend")
        grid = QGridLayout(box)
        self.local = QRadioButton("Local ONNX")
        self.remote = QRadioButton("Remote server")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.remote)
        (self.remote if s.get("ai/backend") == "remote" else self.local).setChecked(True)
        self.local.toggled.connect(lambda on: self._set_backend("local" if on else "remote"))
        self.device = QLabel(self.drafting.describe())
        self.device.setWordWrap(True)
        grid.addWidget(self.local, 0, 0)
        grid.addWidget(self.device, 0, 1, 1, 2)
        grid.addWidget(self.remote, 1, 0)
        self.light = QLabel("●")
        self.light.setToolTip("server status")
        grid.addWidget(self.light, 1, 1)
        check = QPushButton("Check")
        check.clicked.connect(self.drafting.check_server)
        grid.addWidget(check, 1, 2)
        self.url = QLineEdit(s.get("ai/remote_url"))
        self.url.setPlaceholderText("http://host:8080")
        self.url.editingFinished.connect(self._store_url)
        self.token = QLineEdit(s.get("ai/remote_token"))
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("token (optional)")
        self.token.editingFinished.connect(  # one that cannot be written (read-only, full disk) is used, and said
            lambda: (said := s.keep_secret("ai/remote_token", self.token.text().strip())) and self.win.status_warning(said))
        grid.addWidget(buddy("URL", self.url, "Server URL"), 2, 0)
        grid.addWidget(self.url, 2, 1, 1, 2)
        grid.addWidget(buddy("Token", self.token, "Server token"), 3, 0)
        grid.addWidget(self.token, 3, 1, 1, 2)
        return box

    def _draft_box(self) -> QGroupBox:
        box = QGroupBox("Draft difficulties (target notes per second)")
        grid = QGridLayout(box)
        self.slot_boxes: dict[Slot, QCheckBox] = {}
        self.nps: dict[Slot, QDoubleSpinBox] = {}
        for i, slot in enumerate(MODEL_SLOTS):
            check = QCheckBox(slot.sm_name)
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 20.0)
            spin.setDecimals(2)
            spin.setSingleStep(0.25)
            lo, hi = SLOT_NPS_RANGES[slot]
            spin.setValue(default_nps(slot) or 0.0)
            narrow = spin.minimumSizeHint().width()  # room for "20.00", before the special text widens the hint
            spin.setSpecialValueText("model default")
            # Two of these side by side at the width "model default" asks for made the panel wider than its
            # column at a 1.5x or 2x scale (a horizontal scroll bar, its right side cut): a narrow panel may cut
            # that text, never the numbers.
            spin.setMinimumWidth(narrow)
            spin.setProperty("typical", f"Typical {slot.sm_name}: {lo:.2f}-{hi:.2f} NPS; 0 = the model's own density")
            spin.setToolTip(spin.property("typical"))
            spin.setAccessibleName(f"{slot.sm_name} target notes per second")  # the group's title named all five
            grid.addWidget(check, i // 2, (i % 2) * 2)
            grid.addWidget(spin, i // 2, (i % 2) * 2 + 1)
            self.slot_boxes[slot], self.nps[slot] = check, spin
        self.seed = QSpinBox()
        self.seed.setRange(0, 1_000_000)
        self.seed.setToolTip(SEED_TIP)
        grid.addWidget(buddy("Seed", self.seed), 2, 2)
        grid.addWidget(self.seed, 2, 3)
        chosen = QPushButton("Draft checked")
        chosen.clicked.connect(lambda: self.draft([s for s, b in self.slot_boxes.items() if b.isChecked()]))
        every = QPushButton("Draft all difficulties")
        every.clicked.connect(lambda: self.draft(list(MODEL_SLOTS)))
        grid.addWidget(chosen, 3, 0, 1, 2)
        grid.addWidget(every, 3, 2, 1, 2)
        self.listen_to = QComboBox()
        self.listen_to.addItems(["mix", "vocals", "drums", "other"])
        self.listen_to.setToolTip("What the model listens to: the full mix, or one stem (e.g. vocals to chart the "
                                  "vocal line; needs Separate in Playback > Stems). Drafts on stems are not "
                                  "evaluated with main.py eval yet, so mix is the default.")
        self.listen_to.currentTextChanged.connect(lambda text: setattr(self.drafting, "listen_to", text))
        grid.addWidget(buddy("Listen to", self.listen_to), 4, 0)
        grid.addWidget(self.listen_to, 4, 1, 1, 3)
        self.caps = QLabel("")  # what the model's minimum gaps allow at this song's tempo (inference.nps_caps)
        self.caps.setWordWrap(True)
        grid.addWidget(self.caps, 5, 0, 1, 4)
        return box

    def _watch_timing(self) -> None:
        self.win.session.bridge.timing_changed.connect(lambda *_: self.show_caps())

    def show_caps(self) -> None:
        """The highest NPS each capped slot's draft reaches at the song's tempo, under the targets and in their
        tooltips: a target above it (Easy's default at 101 BPM) drafts about that, not the target."""
        from inference.nps_caps import cap_hint, cap_tip, model_gaps

        session = self.win.session
        gaps = model_gaps(self.drafting.drafter, self.drafting.models_dir)
        timing, duration = session.timing(), session.duration_s()
        self.caps.setText(cap_hint(gaps, timing, duration))
        for slot, spin in self.nps.items():
            spin.setToolTip(spin.property("typical") + cap_tip(slot, gaps, timing, duration))

    def _region_box(self, s) -> QGroupBox:
        box = QGroupBox("Selection and refine")
        grid = QGridLayout(box)
        self.variants = QSpinBox()
        self.variants.setRange(1, 8)
        self.variants.setValue(int(s.get("ai/variants")))
        self.variants.valueChanged.connect(lambda v: s.set("ai/variants", v))
        regen = QPushButton("Regenerate selection")
        regen.setToolTip("Draft the selected range (or the measure at the cursor) again as N variants")
        regen.clicked.connect(self.regenerate)
        grid.addWidget(regen, 0, 0)
        grid.addWidget(buddy("variants", self.variants, "Variants"), 0, 1)
        grid.addWidget(self.variants, 0, 2)
        arrows = QPushButton("Arrows for selection")
        follow_keys(self.win, ("ai.arrows",), lambda: arrows.setToolTip(
            "Keep the rhythm of the selected range (or the measure at the cursor): the lane model draws its arrows "
            "and holds, as N variants" + hint(self.win, "ai.arrows")))  # the key as remapped
        arrows.clicked.connect(self.arrows)
        grid.addWidget(arrows, 1, 0)
        self.prev_variant = QPushButton("◀")
        self.next_variant = QPushButton("▶")
        self.variant_label = QLabel("")
        self.prev_variant.setAccessibleName("Previous variant")
        self.next_variant.setAccessibleName("Next variant")
        self.prev_variant.clicked.connect(lambda: self.flip(-1))
        self.next_variant.clicked.connect(lambda: self.flip(1))
        follow_keys(self.win, ("ai.prev_variant", "ai.next_variant"), self._variant_tips)
        grid.addWidget(self.prev_variant, 2, 0)
        grid.addWidget(self.variant_label, 2, 1)
        grid.addWidget(self.next_variant, 2, 2)
        self.refine_target = QComboBox()
        for slot in MODEL_SLOTS[1:]:
            self.refine_target.addItem(slot.sm_name, slot)
        self.refine_target.setAccessibleName("Refine up to difficulty")
        refine = self.refine_button = QPushButton("Refine up to")
        refine.setToolTip(REFINE_TIP)
        refine.clicked.connect(self.refine)
        grid.addWidget(refine, 3, 0)
        grid.addWidget(self.refine_target, 3, 1, 1, 2)
        self.refine_from_lower = QCheckBox("density from the current chart")
        self.refine_from_lower.setChecked(bool(s.get("ai/refine_density_from_lower")))
        self.refine_from_lower.setToolTip(
            "On: the refined chart's density follows the current chart's (its rows x how much denser the target "
            "difficulty usually is, blended with the model's own count). Off: the target's notes-per-second box "
            "above.")
        self.refine_from_lower.toggled.connect(lambda on: s.set("ai/refine_density_from_lower", on))
        grid.addWidget(self.refine_from_lower, 4, 0, 1, 3)
        self.refine_keep_arrows = QCheckBox("keep the current chart's arrows")
        self.refine_keep_arrows.setChecked(bool(s.get("ai/refine_keep_arrows")))
        self.refine_keep_arrows.setToolTip(
            "On: the rows the refined chart keeps from the current chart keep their arrows and holds, and the lane "
            "model draws the added rows around them. Off: the lane model draws every row.")
        self.refine_keep_arrows.toggled.connect(lambda on: s.set("ai/refine_keep_arrows", on))
        grid.addWidget(self.refine_keep_arrows, 5, 0, 1, 3)
        self.simplify_target = QComboBox()
        for slot in MODEL_SLOTS[:-1]:
            self.simplify_target.addItem(slot.sm_name, slot)
        self.simplify_target.setAccessibleName("Simplify down to difficulty")
        simplify = self.simplify_button = QPushButton("Simplify down to")
        simplify.setToolTip(SIMPLIFY_TIP)
        simplify.clicked.connect(self.simplify)
        grid.addWidget(simplify, 6, 0)
        grid.addWidget(self.simplify_target, 6, 1, 1, 2)
        return box

    def _decide_box(self) -> QGroupBox:
        box = QGroupBox("Ghost notes")
        grid = QGridLayout(box)
        self.ghost_label = QLabel("")
        self.ghost_label.setWordWrap(True)
        grid.addWidget(self.ghost_label, 0, 0, 1, 2)
        for i, (text, action) in enumerate((("Accept selection/measure", "ai.accept"),
                                            ("Reject selection/measure", "ai.reject"),
                                            ("Accept all", "ai.accept_all"), ("Reject all", "ai.reject_all"))):
            button = QPushButton(text)
            button.setToolTip(self.win.actions[action].shortcut().toString())
            # back to the notefield after deciding, so the next Return/Backspace/arrow keys act there
            button.clicked.connect(lambda _=False, a=action: (self.win.actions[a].trigger(),
                                                              self.win.timeline.setFocus()))
            grid.addWidget(button, 1 + i // 2, i % 2)
        curve = QCheckBox("show the model's probability curve")
        curve.setChecked(self.win.actions["view.curve"].isChecked())
        curve.toggled.connect(self.win.actions["view.curve"].setChecked)
        self.win.actions["view.curve"].toggled.connect(curve.setChecked)
        grid.addWidget(curve, 3, 0, 1, 2)
        legend = QLabel()
        unsure, sure = (text_color(legend, c).name() for c in ("#f078ff", "#78fff0"))  # the ghosts' hues, readable
        legend.setText(f"Ghosts are dashed: <span style='color:{unsure}'>magenta = unsure</span>, "
                       f"<span style='color:{sure}'>cyan = confident</span>.")
        legend.setWordWrap(True)  # unwrapped, it set the panel's least width
        grid.addWidget(legend, 4, 0, 1, 2)
        return box

    # ------------------------------------------------------------------ actions
    def _set_backend(self, kind: str) -> None:
        self.drafting.settings.set("ai/backend", kind)
        self.device.setText(self.drafting.backend_line())  # the local model stays loaded: Remote, then Local
        if kind == "remote" and self._store_url():
            self.drafting.check_server()

    def _store_url(self) -> bool:
        """Keep the server URL in the settings, unless it is one the client refuses (a user name or password in
        it would end up in editor.ini, which is not private: the token has a file of its own); False then, with
        the reason on the light."""
        from inference.remote import normalise_url

        text = self.url.text().strip()
        if text:
            try:
                normalise_url(text)
            except ValueError as exc:
                self.set_light("down", str(exc))
                return False
        self.drafting.settings.set("ai/remote_url", text)
        return True

    def set_light(self, state: str, message: str) -> None:
        self.light.setStyleSheet(f"color: {LIGHTS.get(state, LIGHTS['unknown'])}; font-size: 16px")
        self.light.setToolTip(message)
        self.light.setProperty("state", state)
        if state in ("down", "fallback"):
            self.win.session.status.emit(message)

    def _nps_for(self, slot: Slot) -> float | None:
        value = self.nps[slot].value()
        return value if value > 0 else None

    def draft(self, slots: list[Slot]):
        if not slots:
            self.win.session.status.emit("AI: check at least one difficulty")
            return None
        nps = {s: v for s in slots if (v := self._nps_for(s)) is not None}
        return self.drafting.draft_slots(slots, nps, seed=self.seed.value())

    def regenerate(self):
        region = self.win.decision_region()
        chart = self.win.session.chart
        nps = self._nps_for(chart.slot) if chart is not None and chart.slot in MODEL_SLOTS else None
        return self.drafting.regenerate(region, self.variants.value(), nps=nps, seed=self.seed.value())

    def arrows(self):
        return self.drafting.arrows(self.win.decision_region(), self.variants.value(), seed=self.seed.value())

    def refine(self):
        target = self.refine_target.currentData()
        nps = None if self.refine_from_lower.isChecked() else self._nps_for(target)
        return self.drafting.refine_up(target, nps=nps, seed=self.seed.value(),
                                       keep_arrows=self.refine_keep_arrows.isChecked())

    def _follow_chart(self) -> None:
        """Refine and simplify default to the slots next to the current chart's."""
        chart = self.win.session.chart
        model_slot = chart is not None and chart.slot in MODEL_SLOTS
        top, bottom = model_slot and chart.slot == MODEL_SLOTS[-1], model_slot and chart.slot == MODEL_SLOTS[0]
        why = "" if model_slot or chart is None else (
            f" (off: the current chart is {chart.slot.sm_name}; set its Difficulty in the Charts panel)")
        self.refine_button.setEnabled(model_slot and not top)
        self.refine_button.setToolTip(REFINE_TIP + (why or " (off: nothing is above Challenge)" * top))
        self.simplify_button.setEnabled(model_slot and not bottom)
        self.simplify_button.setToolTip(SIMPLIFY_TIP + (why or " (off: nothing is below Beginner)" * bottom))
        if not model_slot:
            return
        for combo, slot, valid in ((self.refine_target, chart.slot + 1, lambda s: s > chart.slot),
                                   (self.simplify_target, chart.slot - 1, lambda s: s < chart.slot)):
            items = combo.model()
            assert isinstance(items, QStandardItemModel)  # a combo box's own model: no other is set
            for k in range(combo.count()):  # a target that is not above (refine) / below (simplify): greyed out
                items.item(k).setEnabled(valid(combo.itemData(k)))
            i = combo.findData(Slot(slot)) if 0 <= slot < len(MODEL_SLOTS) else -1
            if i >= 0:
                combo.setCurrentIndex(i)

    def simplify(self):
        return self.drafting.simplify_down(self.simplify_target.currentData())

    def _variant_tips(self) -> None:
        """◀/▶ name their menu actions and keys (as the keymap has them now)."""
        self.prev_variant.setToolTip("Previous draft variant of the range" + hint(self.win, "ai.prev_variant"))
        self.next_variant.setToolTip("Next draft variant of the range" + hint(self.win, "ai.next_variant"))

    def flip(self, step: int) -> None:
        chart = self.win.session.chart
        index = self.drafting.ghosts.flip_variant(chart, step) if chart is not None else None
        if index is None:
            self.win.session.status.emit("No variants here: use Regenerate selection first")

    def _show_progress(self, f: float, text: str) -> None:
        self.progress.setValue(int(f * 100))
        self.progress.setFormat(f"{text} %p%")

    def _busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        if not busy:
            self.progress.setValue(0)
            self.progress.setFormat("")

    def _ghosts_changed(self) -> None:
        ghosts = self.drafting.ghosts
        charts = ghosts.charts_with_drafts()
        if not charts:
            self.ghost_label.setText("No drafts pending.")
        else:
            parts = [f"{c.slot.sm_name}: {n}" if (n := len(ghosts.get(c).notes))
                     else f"{c.slot.sm_name}: none (the AI proposes silence there)" for c in charts]
            self.ghost_label.setText("Pending ghosts — " + ", ".join(parts))
        draft = ghosts.get(self.win.session.chart)
        if draft is not None and draft.variants:
            self.variant_label.setText(f"variant {draft.variant_index + 1}/{len(draft.variants)}")
        else:
            self.variant_label.setText("")
        for w in (self.prev_variant, self.next_variant):
            w.setEnabled(draft is not None and bool(draft.variants))
